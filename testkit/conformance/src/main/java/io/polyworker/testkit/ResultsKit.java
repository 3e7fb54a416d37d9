package io.polyworker.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.internal.DefaultVariables;
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
    TestProcess p = TestProcess.named(unique("p")).task("task", topic).task("second", next);
    deploy(p);
    String instance = start(p, Map.of(), null);
    String w = unique("w");
    LockedJob job = fetchOne(w, topic, Duration.ofSeconds(30));
    client().complete(job, w, sampleVariables(), Map.of());
    LockedJob second = fetchOne(next);
    assertThat(second.processInstanceId()).isEqualTo(instance);
    assertSampleVariables(DefaultVariables.of(second.variables()));
  }

  @Test
  @DisplayName("complete with local variables keeps them out of the process scope")
  void completeWithLocalVariables() {
    require(Capability.LOCAL_VARIABLES);
    String topic = unique("t");
    String instance = startSimple(topic);
    String w = unique("w");
    LockedJob job = fetchOne(w, topic, Duration.ofSeconds(30));
    client().complete(job, w, Map.of("global", "g"), Map.of("local", "l"));
    awaitState(instance, InstanceState.COMPLETED);
    assertThat(fixture().processVariables(instance)).containsEntry("global", "g").doesNotContainKey("local");
    assertThat(fixture().localVariables(instance, "task")).containsEntry("local", "l");
  }

  @Test
  @DisplayName("a failure with retries and backoff offers the job again only after the backoff")
  void failureWithBackoff() {
    String topic = topicWithOneJob();
    String w = unique("w");
    LockedJob job = fetchOne(w, topic, Duration.ofSeconds(30));
    Instant failedAt = Instant.now();
    client().fail(job, w, "boom", "details", 2, Duration.ofSeconds(3));
    assertThat(fetch(w, topic, 1, Duration.ofSeconds(30))).isEmpty();
    LockedJob again = fetchOne(w, topic, Duration.ofSeconds(30));
    assertThat(Duration.between(failedAt, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
    assertThat(again.id()).isEqualTo(job.id());
    assertThat(again.retries()).isEqualTo(2);
  }

  @Test
  @DisplayName("a failure with no retries left raises an incident")
  void failureWithoutRetriesRaisesIncident() {
    require(Capability.INCIDENTS);
    String topic = unique("t");
    String instance = startSimple(topic);
    String w = unique("w");
    LockedJob job = fetchOne(w, topic, Duration.ofSeconds(30));
    client().fail(job, w, "no luck", "stack", 0, Duration.ZERO);
    await().atMost(PATIENCE).until(() -> fixture().hasIncident(instance));
    assertThat(fetch(w, topic, 1, Duration.ofSeconds(30))).isEmpty();
    assertThat(fixture().instanceState(instance)).isEqualTo(InstanceState.ACTIVE);
  }

  @Test
  @DisplayName("a BPMN error with variables is caught by a boundary event")
  void bpmnErrorIsCaught() {
    String topic = unique("t");
    String caught = unique("caught");
    TestProcess p = simple(topic).catchError("task", "NO_STOCK", caught);
    deploy(p);
    String instance = start(p, Map.of(), null);
    String w = unique("w");
    LockedJob job = fetchOne(w, topic, Duration.ofSeconds(30));
    client().bpmnError(job, w, "NO_STOCK", "out of stock", Map.of("reason", "sold out"));
    LockedJob onError = fetchOne(caught);
    assertThat(onError.processInstanceId()).isEqualTo(instance);
    assertThat(onError.elementId()).isEqualTo("onError");
    assertThat(onError.variables()).containsEntry("reason", "sold out");
  }

  @Test
  @DisplayName("a result for a job that no longer exists raises NotFound, not success")
  void resultForUnknownJob() {
    String topic = topicWithOneJob();
    String w = unique("w");
    LockedJob job = fetchOne(w, topic, Duration.ofSeconds(30));
    client().complete(job, w, Map.of(), Map.of());
    assertThatThrownBy(() -> client().complete(job, w, Map.of(), Map.of()))
        .isInstanceOf(NotFoundException.class)
        .satisfies(e -> assertThat(((PolyworkerException) e).engine()).isEqualTo(engine().id()));
  }
}
