package io.polyworker.reliability.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.engine.Engine;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.LocalEngine;
import io.polyworker.testkit.engines.LocalZeebe;
import io.polyworker.testkit.engines.ZeebeRecords;
import io.polyworker.zeebe.ZeebeEngine;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Zeebe 8.8 for the reliability tests: the JVM's shared {@link LocalZeebe} (in memory: a restart
 * loses everything, so outages are network partitions made by the proxy), and the engine's record
 * log as the ledger. Records are read incrementally ({@link ZeebeRecords#readSince}) and only the few
 * kinds the ledger needs are kept, parsed.
 */
public final class ZeebeUnderTest extends EngineUnderTest {
  private final LocalZeebe zeebe = LocalZeebe.shared();
  private final List<JsonNode> kept = new ArrayList<>();
  private int read;

  @Override
  public String id() {
    return "zeebe";
  }

  @Override
  public Dialect dialect() {
    return Dialect.ZEEBE;
  }

  @Override
  public LocalEngine local() {
    return zeebe;
  }

  @Override
  public Engine connect(int port, Duration requestTimeout) {
    return ZeebeEngine.builder().grpcAddress(URI.create("http://127.0.0.1:" + port)).plaintext()
        .requestTimeout(requestTimeout).build();
  }

  @Override
  public boolean speaksHttp() {
    return false;
  }

  @Override
  public Integer initialRetries() {
    return 3;
  }

  @Override
  public boolean keepsDataAcrossRestart() {
    return false;
  }

  /** Reads the records written since the last call; keeps process, job and incident events. */
  private synchronized List<JsonNode> records() {
    ZeebeRecords.Batch batch = zeebe.recordLog().readSince(read, ZeebeUnderTest::kept);
    read += batch.lines();
    kept.addAll(batch.kept());
    return kept;
  }

  /** Whether the ledger needs this record: an event of a process instance's start or end, a job, or an incident. */
  private static boolean kept(String line) {
    if (!line.contains("\"recordType\":\"EVENT\"")) {
      return false;
    }
    boolean process = line.contains("\"valueType\":\"PROCESS_INSTANCE\"") && line.contains("\"bpmnElementType\":\"PROCESS\"")
        && (line.contains("ELEMENT_COMPLETED") || line.contains("ELEMENT_TERMINATED") || line.contains("ELEMENT_ACTIVATED"));
    boolean job = line.contains("\"valueType\":\"JOB\"");
    boolean incident = line.contains("\"valueType\":\"INCIDENT\"");
    return process || job || incident;
  }

  @Override
  public synchronized Map<String, Outcome> ledger(String processKey) {
    Map<String, String> states = new HashMap<>();
    Map<String, int[]> counts = new HashMap<>();
    Set<Long> openIncidents = new HashSet<>();
    Map<Long, String> incidentInstance = new HashMap<>();
    for (JsonNode r : records()) {
      JsonNode v = r.path("value");
      if (!processKey.equals(v.path("bpmnProcessId").asText())) {
        continue;
      }
      String pi = v.path("processInstanceKey").asText();
      String intent = r.path("intent").asText();
      switch (r.path("valueType").asText()) {
        case "PROCESS_INSTANCE":
          states.put(pi, intent.equals("ELEMENT_COMPLETED") ? "COMPLETED"
              : intent.equals("ELEMENT_TERMINATED") ? "TERMINATED" : "ACTIVE");
          break;
        case "JOB":
          if (intent.equals("COMPLETED")) {
            counts.computeIfAbsent(pi, k -> new int[2])[0]++;
          } else if (intent.equals("FAILED")) {
            counts.computeIfAbsent(pi, k -> new int[2])[1]++;
          }
          break;
        case "INCIDENT":
          if (intent.equals("CREATED")) {
            openIncidents.add(r.path("key").asLong());
            incidentInstance.put(r.path("key").asLong(), pi);
          } else if (intent.equals("RESOLVED")) {
            openIncidents.remove(r.path("key").asLong());
          }
          break;
        default:
          break;
      }
    }
    Set<String> withIncident = new HashSet<>();
    openIncidents.forEach(k -> withIncident.add(incidentInstance.get(k)));
    Map<String, Outcome> ledger = new HashMap<>();
    states.forEach((pi, state) -> {
      int[] c = counts.getOrDefault(pi, new int[2]);
      // No worker names: the job record's "worker" is the activating worker of an earlier activation in some cases.
      ledger.put(pi, new Outcome(pi, state, c[0], c[1], withIncident.contains(pi), List.of()));
    });
    return ledger;
  }

  /** Every read makes the test server walk the whole record log: not too often, or the engine starves. */
  @Override
  public Duration progressPollInterval() {
    return Duration.ofSeconds(5);
  }

  @Override
  public Progress progress(String processKey, String topic) {
    Map<String, Outcome> ledger = ledger(processKey);
    int completed = 0;
    int failed = 0;
    for (Outcome o : ledger.values()) {
      completed += o.state().equals("COMPLETED") ? 1 : 0;
      failed += o.incident() ? 1 : 0;
    }
    return new Progress(completed, failed);
  }

  @Override
  public Map<String, String> config(int port) {
    return Map.of("polyworker.engine", "zeebe", "polyworker.url", "http://127.0.0.1:" + port,
        "polyworker.zeebe.plaintext", "true");
  }

  @Override
  public void cancel(String instanceId) {
    try (Engine engine = connect()) {
      engine.processClient().cancelProcessInstance(instanceId);
    }
  }

  @Override
  public int openJobs(String processKey, String topic) {
    Map<String, Integer> open = new HashMap<>();
    for (JsonNode r : records()) {
      JsonNode v = r.path("value");
      if (!r.path("valueType").asText().equals("JOB") || !processKey.equals(v.path("bpmnProcessId").asText())) {
        continue;
      }
      String job = r.path("key").asText();
      switch (r.path("intent").asText()) {
        case "CREATED":
          open.put(job, 1);
          break;
        case "COMPLETED":
        case "CANCELED":
        case "ERROR_THROWN":
          open.remove(job);
          break;
        default:
          break;
      }
    }
    return open.size();
  }
}
