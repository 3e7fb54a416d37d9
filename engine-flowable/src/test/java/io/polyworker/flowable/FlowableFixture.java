package io.polyworker.flowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.engine.Engine;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.EngineFixture;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.engines.FaultProxy;
import io.polyworker.testkit.engines.FlowableHistory;
import io.polyworker.testkit.engines.LocalFlowable;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The conformance kit's view of a real Flowable server. The questions about instances are answered
 * by the engine's {@link FlowableHistory} (its history and management REST APIs with plain HTTP),
 * independently of the client under test.
 */
final class FlowableFixture implements EngineFixture {
  private final LocalFlowable flowable;
  private final Engine engine;
  private final FlowableHistory history;

  FlowableFixture(LocalFlowable flowable) {
    this.flowable = flowable;
    this.engine = FlowableEngine.builder().baseUrl(flowable.baseUrl()).build();
    this.history = flowable.history();
  }

  @Override
  public Engine engine() {
    return engine;
  }

  @Override
  public Dialect dialect() {
    return Dialect.FLOWABLE;
  }

  /** Flowable sends no extension properties with an external worker job. */
  @Override
  public boolean jobsCarryHeaders() {
    return false;
  }

  @Override
  public InstanceState instanceState(String processInstanceId) {
    Optional<JsonNode> h = history.processInstance(processInstanceId);
    if (h.isEmpty()) {
      return InstanceState.UNKNOWN;
    }
    switch (FlowableHistory.state(h.get())) {
      case FlowableHistory.ACTIVE:
        return InstanceState.ACTIVE;
      case FlowableHistory.COMPLETED:
        return InstanceState.COMPLETED;
      default:
        return InstanceState.TERMINATED;
    }
  }

  @Override
  public boolean hasIncident(String processInstanceId) {
    return history.deadLetterJobCount(processInstanceId) > 0;
  }

  @Override
  public Map<String, @Nullable Object> processVariables(String processInstanceId) {
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    for (JsonNode row : history.variableInstances(processInstanceId)) {
      // Process scope only: variables of the instance's own execution, not of tasks or child executions.
      if (!row.path("taskId").isNull() || !processInstanceId.equals(row.path("executionId").asText())) {
        continue;
      }
      JsonNode v = row.path("variable");
      result.put(v.path("name").asText(), plain(v.path("value")));
    }
    return result;
  }

  private static @Nullable Object plain(JsonNode value) {
    return TestHttp.JSON.convertValue(value, Object.class);
  }

  @Override
  public Optional<Engine> engineAt(URI url) {
    return Optional.of(FlowableEngine.builder().baseUrl(url.toString()).build());
  }

  /** Through a {@link FaultProxy}; cut is a black hole: the proxy holds every byte back. */
  @Override
  public Optional<Severable> severableEngine(Duration requestTimeout) {
    FaultProxy proxy = FaultProxy.to(flowable.port());
    Engine through = FlowableEngine.builder().baseUrl(proxy.httpUrl())
        .connectTimeout(Duration.ofSeconds(2)).requestTimeout(requestTimeout).build();
    return Optional.of(Severable.of(through, () -> proxy.latency(Duration.ofHours(1)), () -> {
      proxy.heal();
      proxy.cutConnections(); // what was held back is never delivered
    }, proxy::close));
  }

  @Override
  public Optional<Engine> engineWithAuth(Supplier<String> tokens) {
    return Optional.of(FlowableEngine.builder().baseUrl(flowable.baseUrl()).tokenSupplier(tokens).build());
  }

  /**
   * The local server resets expired locks and the locks of failed jobs waiting for their retry
   * timeout in a background thread every second ({@code reset-expired-jobs-interval=PT1S}): a job is
   * offered again up to a second after its time is up.
   */
  @Override
  public Duration lockResetPeriod() {
    return Duration.ofSeconds(1);
  }
}
