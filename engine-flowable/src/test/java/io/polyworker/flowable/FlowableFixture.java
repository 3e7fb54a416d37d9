package io.polyworker.flowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.engine.Engine;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.EngineFixture;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.engines.FaultProxy;
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
 * from Flowable's history and management REST APIs with plain HTTP, independently of the client under
 * test.
 */
final class FlowableFixture implements EngineFixture {
  private final LocalFlowable flowable;
  private final Engine engine;

  FlowableFixture(LocalFlowable flowable) {
    this.flowable = flowable;
    this.engine = FlowableEngine.builder().baseUrl(flowable.baseUrl()).build();
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
    TestHttp.Answer a = TestHttp.get(flowable.processApiUrl() + "/history/historic-process-instances/"
        + processInstanceId);
    if (a.status() == 404) {
      return InstanceState.UNKNOWN;
    }
    JsonNode h = ok(a);
    if (h.path("endTime").isNull() || h.path("endTime").isMissingNode()) {
      return InstanceState.ACTIVE;
    }
    return h.path("deleteReason").isNull() || h.path("deleteReason").isMissingNode()
        ? InstanceState.COMPLETED : InstanceState.TERMINATED;
  }

  @Override
  public boolean hasIncident(String processInstanceId) {
    JsonNode page = ok(TestHttp.get(flowable.processApiUrl()
        + "/management/deadletter-jobs?processInstanceId=" + processInstanceId));
    return page.path("total").asInt() > 0;
  }

  @Override
  public Map<String, @Nullable Object> processVariables(String processInstanceId) {
    JsonNode page = ok(TestHttp.get(flowable.processApiUrl()
        + "/history/historic-variable-instances?processInstanceId=" + processInstanceId + "&size=1000"));
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    for (JsonNode row : page.path("data")) {
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

  private static JsonNode ok(TestHttp.Answer a) {
    if (a.status() != 200 || a.body() == null) {
      throw new AssertionError("Flowable answered " + a.status() + ": " + a.text());
    }
    return a.body();
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
