package io.polyworker.opentelemetry;

import io.polyworker.SubscriptionOptions;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.engine.Engine;
import io.polyworker.flowable.FlowableEngine;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.testkit.engines.LocalFlowable;
import io.polyworker.testkit.engines.LocalZeebe;
import io.polyworker.zeebe.ZeebeEngine;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One trace from the code that started a process through both its service tasks, on each real engine. */
class EnginesTraceTest {
  /** close() waits for an open long poll (Camunda): keep it short. */
  private static final SubscriptionOptions OPTIONS = SubscriptionOptions.builder()
      .longPollTimeout(Duration.ofSeconds(1)).build();

  @Test
  void camunda7() {
    try (Engine engine = CamundaEngine.builder().baseUrl(LocalCamunda.shared().restUrl()).build()) {
      new TraceThroughProcess().check(engine, Dialect.CAMUNDA, OPTIONS);
    }
  }

  @Test
  void flowable() {
    try (Engine engine = FlowableEngine.builder().baseUrl(LocalFlowable.shared().baseUrl()).build()) {
      new TraceThroughProcess().check(engine, Dialect.FLOWABLE, OPTIONS);
    }
  }

  @Test
  void zeebe() {
    try (Engine engine = ZeebeEngine.builder().grpcAddress(LocalZeebe.shared().grpcUri()).plaintext().build()) {
      new TraceThroughProcess().check(engine, Dialect.ZEEBE, OPTIONS);
    }
  }
}
