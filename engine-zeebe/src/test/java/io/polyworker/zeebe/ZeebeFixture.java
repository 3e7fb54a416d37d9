package io.polyworker.zeebe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.Engine;
import io.polyworker.internal.Json;
import io.polyworker.testkit.Dialect;
import io.polyworker.testkit.EngineFixture;
import io.polyworker.testkit.InstanceState;
import io.polyworker.testkit.engines.LocalZeebe;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The conformance kit's view of a real Zeebe engine. Zeebe has no query API of its own (that is
 * Operate's job), so every answer is computed from the engine's record log ({@link LocalZeebe#records()}),
 * parsed with Jackson: lines are first narrowed by the instance key as text, then read as JSON.
 */
final class ZeebeFixture implements EngineFixture {
  private final LocalZeebe zeebe;
  private final Engine engine;

  ZeebeFixture(LocalZeebe zeebe) {
    this.zeebe = zeebe;
    this.engine = ZeebeEngine.builder().grpcAddress(zeebe.grpcUri()).plaintext().build();
  }

  @Override
  public Engine engine() {
    return engine;
  }

  @Override
  public Dialect dialect() {
    return Dialect.ZEEBE;
  }

  @Override
  public InstanceState instanceState(String processInstanceId) {
    InstanceState state = InstanceState.UNKNOWN;
    for (JsonNode r : events(processInstanceId, "PROCESS_INSTANCE")) {
      JsonNode value = r.path("value");
      if (!"PROCESS".equals(value.path("bpmnElementType").asText())
          || !processInstanceId.equals(value.path("processInstanceKey").asText())) {
        continue;
      }
      switch (r.path("intent").asText()) {
        case "ELEMENT_COMPLETED":
          return InstanceState.COMPLETED;
        case "ELEMENT_TERMINATED":
          return InstanceState.TERMINATED;
        default:
          state = InstanceState.ACTIVE;
      }
    }
    return state;
  }

  @Override
  public boolean hasIncident(String processInstanceId) {
    Set<Long> open = new HashSet<>();
    for (JsonNode r : events(processInstanceId, "INCIDENT")) {
      if (!processInstanceId.equals(r.path("value").path("processInstanceKey").asText())) {
        continue;
      }
      if ("CREATED".equals(r.path("intent").asText())) {
        open.add(r.path("key").asLong());
      } else if ("RESOLVED".equals(r.path("intent").asText())) {
        open.remove(r.path("key").asLong());
      }
    }
    return !open.isEmpty();
  }

  /** Variables whose scope is the process instance itself; the last write of each name wins. */
  @Override
  public Map<String, @Nullable Object> processVariables(String processInstanceId) {
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    for (JsonNode r : events(processInstanceId, "VARIABLE")) {
      JsonNode value = r.path("value");
      if (!processInstanceId.equals(value.path("scopeKey").asText())) {
        continue;
      }
      try {
        result.put(value.path("name").asText(),
            Json.MAPPER.readValue(value.path("value").asText(), Object.class));
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException("variable record is not JSON: " + r, e);
      }
    }
    return result;
  }

  /** A key of Zeebe's format (partition 1) far beyond what a test engine hands out. */
  public String unknownInstanceId() {
    return "2251799999999999";
  }

  /** The engine's events of one value type for one instance, oldest first. */
  private List<JsonNode> events(String processInstanceId, String valueType) {
    String keyText = "\"processInstanceKey\":" + processInstanceId;
    String typeText = "\"valueType\":\"" + valueType + "\"";
    List<JsonNode> result = new ArrayList<>();
    for (String line : zeebe.records()) {
      if (!line.contains(keyText) || !line.contains(typeText)) {
        continue;
      }
      try {
        JsonNode record = Json.MAPPER.readTree(line);
        if ("EVENT".equals(record.path("recordType").asText())
            && valueType.equals(record.path("valueType").asText())) {
          result.add(record);
        }
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException("record is not JSON: " + line, e);
      }
    }
    return result;
  }
}
