package io.polyworker.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.examples.spring.OrderRunner.Outcome;
import io.polyworker.testkit.engines.CamundaHistory;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.testkit.engines.LocalEngine;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The example's application as {@code main} runs it, pointed at a running Camunda 7 by
 * {@code polyworker.url} (so it starts no engine of its own): every order ends on the path its
 * quantity calls for, with the variables the handlers returned, and the engine's history agrees.
 */
class OrderApplicationTest {

  @Test
  void everyOrderEndsWithTheHandlersVariables() {
    LocalCamunda camunda = LocalCamunda.shared();
    List<Outcome> outcomes;
    try (ConfigurableApplicationContext context = OrderApplication.application().run(
        "--polyworker.engine=camunda", "--polyworker.url=" + camunda.restUrl(),
        "--example.orders=5", "--example.carrier-latency=100ms", "--polyworker.worker.long-poll-timeout=1s")) {
      assertThat(context.getBeansOfType(LocalEngine.class))
          .as("no local engine when polyworker.url is set").isEmpty();
      OrderRunner runner = context.getBean(OrderRunner.class);
      outcomes = runner.outcomes();
      assertThat(SpringApplication.exit(context)).isZero();
    }

    assertThat(outcomes).extracting(Outcome::orderId).containsExactly("A-1", "A-2", "A-3", "A-4", "A-5");
    for (Outcome o : outcomes.subList(0, 4)) {
      assertThat(o.shipped()).as(o.orderId()).isTrue();
      assertThat(o.variables()).as(o.orderId())
          .containsEntry("validated", true)
          .containsEntry("total", o.quantity() * 19.5)
          .containsEntry("reserved", o.quantity())
          .containsEntry("trackingNumber", "TRK-" + o.orderId())
          .containsEntry("lockLost", false);
    }
    Outcome rejected = outcomes.get(4);
    assertThat(rejected.shipped()).isFalse();
    assertThat(rejected.variables()).containsEntry("validated", true)
        .containsEntry("rejectionReason", "out of stock")
        .doesNotContainKeys("reserved", "trackingNumber");

    CamundaHistory history = camunda.history();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      for (Outcome o : outcomes) {
        Optional<JsonNode> instance = history.processInstance(o.processInstanceId());
        assertThat(instance).as(o.orderId()).isPresent();
        assertThat(instance.get().path("state").asText()).as(o.orderId()).isEqualTo("COMPLETED");
        assertThat(instance.get().path("businessKey").asText()).isEqualTo(o.orderId());
        String endEvent = o.shipped() ? "shipped" : "rejected";
        assertThat(history.count("/history/activity-instance/count?processInstanceId="
            + o.processInstanceId() + "&activityId=" + endEvent)).as("%s ended at %s", o.orderId(), endEvent)
            .isEqualTo(1);
      }
    });
  }
}
