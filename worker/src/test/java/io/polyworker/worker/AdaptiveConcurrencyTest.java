package io.polyworker.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.polyworker.Concurrency;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.memory.InMemoryEngine;
import io.polyworker.testkit.memory.InMemoryEngine.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The opt-in adaptive limit: it grows while handlers wait and the engine has work, shrinks on errors, never passes its bounds. */
class AdaptiveConcurrencyTest extends RuntimeTestSupport {

  private List<String> backlog(String topic, int n) {
    String key = deploy(topic);
    List<String> instances = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      instances.add(start(key));
    }
    return instances;
  }

  @Test
  void theDefaultStaysFixedAndTheOptionSaysWhatItIs() {
    assertThat(SubscriptionOptions.defaults().concurrency()).isEqualTo(Concurrency.fixed(32));
    assertThat(SubscriptionOptions.defaults().concurrency().isAdaptive()).isFalse();
    SubscriptionOptions adaptive = SubscriptionOptions.builder().maxConcurrentJobs(Concurrency.adaptive(4, 128)).build();
    assertThat(adaptive.maxConcurrentJobs()).isEqualTo(128);
    assertThat(adaptive.maxJobsPerFetch()).isEqualTo(128);
    assertThat(adaptive.toString()).contains("maxConcurrentJobs=adaptive(4..128)");
    assertThat(adaptive.toBuilder().build().concurrency()).isEqualTo(Concurrency.adaptive(4, 128));
    assertThatThrownBy(() -> Concurrency.adaptive(0, 8)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("adaptive concurrency min");
    assertThatThrownBy(() -> Concurrency.adaptive(8, 4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max must be >= min (8), was 4");
    assertThatThrownBy(() -> Concurrency.fixed(0)).hasMessageContaining("maxConcurrentJobs");
  }

  @Test
  void blockedHandlersAndABacklogGrowTheLimitButNeverPastItsMaximum() {
    String topic = unique("grow");
    List<String> instances = backlog(topic, 600);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    JobWorker worker = startWorker(topic, job -> {
      peak.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        Thread.sleep(50); // waiting on I/O: no CPU
        return JobResult.complete();
      } finally {
        running.decrementAndGet();
      }
    }, SubscriptionOptions.builder().maxConcurrentJobs(Concurrency.adaptive(2, 40)).build());
    AtomicInteger highestLimit = new AtomicInteger();
    // With the fixed minimum of 2 these 600 jobs would take 15 s.
    await().atMost(PATIENCE).until(() -> {
      highestLimit.accumulateAndGet(worker.subscriptions().get(0).slotLimit(), Math::max);
      return instances.stream().allMatch(i -> engine.instanceState(i) == InstanceState.COMPLETED);
    });
    assertThat(highestLimit.get()).as("the highest limit seen").isGreaterThan(8).isLessThanOrEqualTo(40);
    assertThat(peak.get()).as("handlers running at once").isGreaterThan(8).isLessThanOrEqualTo(40);
  }

  @Test
  void engineErrorsShrinkTheLimitTowardsItsMinimum() {
    String topic = unique("shrink");
    List<String> instances = backlog(topic, 2000);
    JobWorker worker = startWorker(topic, job -> {
      Thread.sleep(50);
      return JobResult.complete();
    }, SubscriptionOptions.builder().maxConcurrentJobs(Concurrency.adaptive(2, 64)).build(),
        workerOptions().reportRetryBackoff(io.polyworker.Backoff.fixed(Duration.ofMillis(20)))
            .drainTimeout(Duration.ofMillis(500)).build());
    await().atMost(PATIENCE).until(() -> worker.subscriptions().get(0).slotLimit() >= 24);
    // The engine starts refusing completes for a while (each attempt is retried, then succeeds).
    engine.failNext(Operation.COMPLETE, 6000, () -> InMemoryEngine.unavailable(Operation.COMPLETE));
    await().atMost(PATIENCE).until(() -> worker.subscriptions().get(0).slotLimit() <= 6);
    assertThat(worker.subscriptions().get(0).slotLimit()).isGreaterThanOrEqualTo(2);
    worker.close();
    assertThat(instances.stream().filter(i -> engine.instanceState(i) == InstanceState.COMPLETED).count())
        .as("completed instances").isPositive();
  }
}
