package io.polyworker.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.spi.Capability;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.TestProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts on the results a worker reports through the job client: complete with process and local
 * variables, failures with a retry backoff or without retries left, BPMN errors caught by a boundary
 * event, and results for jobs that are gone. Run by the {@link EngineCompatibilityKit} as its group
 * "results".
 */
abstract class ResultsKit extends KitSupport {

  @Test
  @DisplayName("complete with variables is visible in the process")
  void completeWithVariables() {
    String topic = unique("t");
    String next = unique("next");
    TestProcess p = deploy(TestProcess.named(unique("p")).task("task", topic).task("second", next));
    HeldJob held = startAndHold(p, topic);
    client().complete(held.job(), held.worker(), sampleVariables(), Map.of());
    LockedJob second = fetchOne(next);
    assertThat(second.processInstanceId()).isEqualTo(held.instance());
    assertSampleVariables(second.variables());
  }

  @Test
  @DisplayName("complete with local variables keeps them out of the process scope")
  void completeWithLocalVariables() {
    require(Capability.LOCAL_VARIABLES);
    HeldJob held = holdOneJob();
    client().complete(held.job(), held.worker(), Map.of("global", "g"), Map.of("local", "l"));
    awaitState(held.instance(), InstanceState.COMPLETED);
    assertThat(fixture().processVariables(held.instance())).containsEntry("global", "g")
        .doesNotContainKey("local");
    assertThat(fixture().localVariables(held.instance(), "task")).containsEntry("local", "l");
  }

  @Test
  @DisplayName("a failure with retries and backoff offers the job again only after the backoff")
  void failureWithBackoff() {
    HeldJob held = holdOneJob();
    Instant failedAt = Instant.now();
    client().fail(held.job(), held.worker(), "boom", "details", 2, Duration.ofSeconds(3));
    assertThat(fetch(held.worker(), held.topic(), 1, Duration.ofSeconds(30))).isEmpty();
    LockedJob again = fetchOne(held.worker(), held.topic(), Duration.ofSeconds(30));
    assertThat(Duration.between(failedAt, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
    assertThat(again.id()).isEqualTo(held.job().id());
    assertThat(again.retries()).isEqualTo(2);
  }

  @Test
  @DisplayName("a failure with no retries left raises an incident")
  void failureWithoutRetriesRaisesIncident() {
    require(Capability.INCIDENTS);
    HeldJob held = holdOneJob();
    client().fail(held.job(), held.worker(), "no luck", "stack", 0, Duration.ZERO);
    await().atMost(PATIENCE).until(() -> fixture().hasIncident(held.instance()));
    assertThat(fetch(held.worker(), held.topic(), 1, Duration.ofSeconds(30))).isEmpty();
    assertThat(fixture().instanceState(held.instance())).isEqualTo(InstanceState.ACTIVE);
  }

  @Test
  @DisplayName("a BPMN error with variables is caught by a boundary event")
  void bpmnErrorIsCaught() {
    String topic = unique("t");
    CatchingProcess p = deployCatching(topic, "NO_STOCK");
    HeldJob held = startAndHold(p.process(), topic);
    client().bpmnError(held.job(), held.worker(), "NO_STOCK", "out of stock", Map.of("reason", "sold out"));
    LockedJob onError = fetchOne(p.caughtTopic());
    assertThat(onError.processInstanceId()).isEqualTo(held.instance());
    assertThat(onError.elementId()).isEqualTo("onError");
    assertThat(onError.variables()).containsEntry("reason", "sold out");
  }

  @Test
  @DisplayName("a result for a job that no longer exists raises NotFound, not success")
  void resultForUnknownJob() {
    HeldJob held = holdOneJob();
    client().complete(held.job(), held.worker(), Map.of(), Map.of());
    assertThatThrownBy(() -> client().complete(held.job(), held.worker(), Map.of(), Map.of()))
        .isInstanceOf(NotFoundException.class)
        .satisfies(e -> assertThat(((PolyworkerException) e).engine()).isEqualTo(engine().id()));
  }
}
