package io.polyworker.camunda;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.engine.Engine;
import io.polyworker.camunda.internal.CamundaTestAccess;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.EngineFixture;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.engines.CamundaHistory;
import io.polyworker.testkit.engines.FaultProxy;
import io.polyworker.testkit.engines.CamundaRestEngine;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The conformance kit's view of a real Camunda 7 family server (Camunda 7 or its fork Operaton): the records are read by the engine's
 * {@link CamundaHistory}; typed variable values are decoded by the module's own variable decoding.
 */
final class CamundaFixture implements EngineFixture {
  private final CamundaRestEngine camunda;
  private final Engine engine;
  private final CamundaHistory history;
  private final CamundaTestAccess rest;

  CamundaFixture(CamundaRestEngine camunda) {
    this.camunda = camunda;
    this.engine = CamundaEngine.builder().baseUrl(camunda.restUrl()).build();
    this.history = camunda.history();
    this.rest = new CamundaTestAccess(camunda.restUrl());
  }

  @Override
  public Engine engine() {
    return engine;
  }

  @Override
  public Dialect dialect() {
    return Dialect.CAMUNDA;
  }

  @Override
  public InstanceState instanceState(String processInstanceId) {
    Optional<JsonNode> instance = history.processInstance(processInstanceId);
    if (instance.isEmpty()) {
      return InstanceState.UNKNOWN;
    }
    switch (instance.get().path("state").asText()) {
      case "ACTIVE":
      case "SUSPENDED":
        return InstanceState.ACTIVE;
      case "COMPLETED":
        return InstanceState.COMPLETED;
      default:
        return InstanceState.TERMINATED;
    }
  }

  @Override
  public boolean hasIncident(String processInstanceId) {
    return !history.incidents(processInstanceId).isEmpty();
  }

  @Override
  public Map<String, @Nullable Object> processVariables(String processInstanceId) {
    return variables(processInstanceId, processInstanceId);
  }

  @Override
  public Map<String, @Nullable Object> localVariables(String processInstanceId, String elementId) {
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    for (JsonNode v : history.variableInstances(processInstanceId)) {
      if (v.path("activityInstanceId").asText().startsWith(elementId + ":")) {
        result.put(v.get("name").asText(), rest.decode(v));
      }
    }
    return result;
  }

  private Map<String, @Nullable Object> variables(String processInstanceId, String scope) {
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    for (JsonNode v : history.variableInstances(processInstanceId)) {
      if (scope.equals(v.path("activityInstanceId").asText())) {
        result.put(v.get("name").asText(), rest.decode(v));
      }
    }
    return result;
  }

  @Override
  public Optional<Engine> engineAt(URI url) {
    return Optional.of(CamundaEngine.builder().baseUrl(url + "/engine-rest").build());
  }

  /** Through a {@link FaultProxy}; cut is a black hole: the proxy holds every byte back. */
  @Override
  public Optional<Severable> severableEngine(Duration requestTimeout) {
    FaultProxy proxy = FaultProxy.to(camunda.port());
    Engine through = CamundaEngine.builder().baseUrl(proxy.httpUrl() + "/engine-rest")
        .connectTimeout(Duration.ofSeconds(2)).requestTimeout(requestTimeout).build();
    return Optional.of(Severable.of(through, () -> proxy.latency(Duration.ofHours(1)), () -> {
      proxy.heal();
      proxy.cutConnections(); // what was held back is never delivered
    }, proxy::close));
  }

  @Override
  public Optional<Engine> engineWithAuth(Supplier<String> tokens) {
    return Optional.of(CamundaEngine.builder().baseUrl(camunda.restUrl()).tokenSupplier(tokens).build());
  }
}
