package io.polyworker.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.engine.Engine;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.ProcessClient;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.spi.EngineCapabilities;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.memory.InMemoryEngine;
import io.polyworker.testkit.memory.InMemoryEngine.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** How the poller talks to the engine: capacity, one fetch in flight, long polling, backoff. */
class PollingTest extends RuntimeTestSupport {

  @Test
  void fetchesOnlyForFreeCapacityWithOneFetchInFlight() {
    engine = InMemoryEngine.builder().longPolling(true).build();
    String topic = unique("t");
    String key = deploy(topic);
    int max = 4;
    Counting counting = new Counting(engine);
    List<String> instances = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      instances.add(start(key));
    }
    JobWorker worker = JobWorker.builder(counting).options(workerOptions().build())
        .subscribe(topic, job -> {
          try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(5)); // simulated work
            return JobResult.complete();
          } finally {
            counting.held.decrementAndGet(); // before the worker frees the job's slot
          }
        }, SubscriptionOptions.builder().maxConcurrentJobs(max).longPollTimeout(Duration.ofMillis(500)).build())
        .build().start();
    try {
      await().atMost(PATIENCE).until(() -> instances.stream()
          .allMatch(i -> engine.instanceState(i) == InstanceState.COMPLETED));
    } finally {
      worker.close();
    }
    assertThat(engine.peakConcurrentFetches()).isEqualTo(1);
    assertThat(counting.violations).isEmpty();
    assertThat(counting.requests).allMatch(r -> r.maxJobs() <= max);
    assertThat(counting.peakLocked.get()).as("jobs locked at once").isLessThanOrEqualTo(2 * max);
  }

  @Test
  void idleWorkerWithoutLongPollingBacksOff() {
    String topic = unique("t");
    startWorker(topic, job -> JobResult.complete(), SubscriptionOptions.defaults(),
        workerOptions().emptyPollBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build());
    awaitEvents(WorkerEvent.Type.POLL_EMPTY, 1);
    engine.resetCounts();
    // Without backoff an in-memory fetch would run many thousand times a second; with 50..200 ms
    // it runs at most ~20 times in a second.
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
        .until(() -> engine.calls(Operation.FETCH_AND_LOCK) <= 25);
    assertThat(engine.calls(Operation.FETCH_AND_LOCK)).isPositive();
  }

  @Test
  void idleWorkerWithLongPollingWaitsOnTheEngine() {
    engine = InMemoryEngine.builder().longPolling(true).build();
    String topic = unique("t");
    startWorker(topic, job -> JobResult.complete(),
        SubscriptionOptions.builder().longPollTimeout(Duration.ofMillis(400)).build(),
        workerOptions().emptyPollBackoff(Duration.ofMillis(1), Duration.ofMillis(1)).build());
    await().atMost(PATIENCE).until(() -> engine.fetchesInFlight() == 1);
    engine.resetCounts();
    // Each fetch waits 400 ms on the engine even though the empty-poll backoff is 1 ms.
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
        .until(() -> engine.calls(Operation.FETCH_AND_LOCK) <= 4);
    assertThat(eventsOf(WorkerEvent.Type.POLL_EMPTY)).allMatch(e -> e.duration().toMillis() >= 300);
  }

  @Test
  void longPollWakesWhenAJobArrives() {
    engine = InMemoryEngine.builder().longPolling(true).build();
    String topic = unique("t");
    String key = deploy(topic);
    startWorker(topic, job -> JobResult.complete(),
        SubscriptionOptions.builder().longPollTimeout(Duration.ofSeconds(60)).build());
    await().atMost(PATIENCE).until(() -> engine.fetchesInFlight() == 1);
    String instance = start(key);
    // Far sooner than the 60 s poll timeout: the waiting fetch was woken by the new job.
    await().atMost(Duration.ofSeconds(3)).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
    assertThat(engine.calls(Operation.FETCH_AND_LOCK)).isLessThanOrEqualTo(3);
  }

  @Test
  void fetchErrorsBackOffAndRecover() {
    String topic = unique("t");
    String key = deploy(topic);
    engine.down(true);
    startWorker(topic, job -> JobResult.complete(), SubscriptionOptions.defaults(),
        workerOptions().pollErrorBackoff(Duration.ofMillis(20), Duration.ofMillis(300)).build());
    awaitEvents(WorkerEvent.Type.POLL_ERROR, 1);
    // 20, 40, 80, 160, 300, 300 ... ms: a handful of attempts per second, never a busy loop.
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
        .until(() -> engine.calls(Operation.FETCH_AND_LOCK) <= 12);
    assertThat(eventsOf(WorkerEvent.Type.POLL_ERROR))
        .allMatch(e -> e.error() instanceof io.polyworker.EngineUnavailableException);
    engine.down(false);
    String instance = start(key);
    await().atMost(PATIENCE).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
  }

  @Test
  void injectedFetchFailuresAreRetried() {
    String topic = unique("t");
    String key = deploy(topic);
    String instance = start(key);
    engine.failNext(Operation.FETCH_AND_LOCK, 3, () -> InMemoryEngine.unavailable(Operation.FETCH_AND_LOCK));
    startWorker(topic, job -> JobResult.complete(), SubscriptionOptions.defaults());
    await().atMost(PATIENCE).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
    assertThat(count(WorkerEvent.Type.POLL_ERROR)).isEqualTo(3);
  }

  /** An engine whose job client checks each fetch against the jobs the worker holds. */
  /**
   * Counts what the worker holds: {@code held}, jobs fetched whose handler has not returned (the
   * handler counts itself out; each such job holds a slot), {@code locked}, jobs fetched whose report
   * or release has not ended. A fetch may ask only for slots free, and the worker holds at most twice
   * its limit locked (the reports that go on without a slot, at most the limit). No job of the test
   * is released without running: the backlog is drained before close().
   */
  private static final class Counting implements Engine {
    private static final int MAX = 4;
    private final InMemoryEngine delegate;
    final List<FetchRequest> requests = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final AtomicInteger held = new AtomicInteger();
    final AtomicInteger locked = new AtomicInteger();
    final AtomicInteger peakLocked = new AtomicInteger();
    private final EngineClient client;

    Counting(InMemoryEngine delegate) {
      this.delegate = delegate;
      EngineClient d = delegate.jobClient();
      this.client = new EngineClient() {
        @Override public String engineId() { return d.engineId(); }
        @Override public EngineCapabilities capabilities() { return d.capabilities(); }

        @Override
        public CompletableFuture<List<LockedJob>> fetchAndLock(FetchRequest request) {
          requests.add(request);
          int holding = held.get();
          if (request.maxJobs() + holding > MAX) {
            violations.add("asked for " + request.maxJobs() + " while holding " + holding);
          }
          return d.fetchAndLock(request).thenApply(jobs -> {
            held.addAndGet(jobs.size());
            peakLocked.accumulateAndGet(locked.addAndGet(jobs.size()), Math::max);
            return jobs;
          });
        }

        /** Runs one report or release: the job stays locked until it ends. */
        private void report(Runnable call) {
          try {
            call.run();
          } finally {
            locked.decrementAndGet();
          }
        }

        @Override
        public void complete(LockedJob job, String workerId, Map<String, ? extends @Nullable Object> variables,
            Map<String, ? extends @Nullable Object> localVariables) {
          report(() -> d.complete(job, workerId, variables, localVariables));
        }

        @Override
        public void fail(LockedJob job, String workerId, String errorMessage, @Nullable String errorDetails,
            int retries, Duration retryBackoff) {
          report(() -> d.fail(job, workerId, errorMessage, errorDetails, retries, retryBackoff));
        }

        @Override
        public void bpmnError(LockedJob job, String workerId, String errorCode, @Nullable String errorMessage,
            Map<String, ? extends @Nullable Object> variables) {
          report(() -> d.bpmnError(job, workerId, errorCode, errorMessage, variables));
        }

        @Override
        public void release(LockedJob job, String workerId) {
          report(() -> d.release(job, workerId));
        }

        @Override public void close() {}
      };
    }

    @Override public String id() { return delegate.id(); }
    @Override public ProcessClient processClient() { return delegate.processClient(); }
    @Override public EngineClient jobClient() { return client; }
    @Override public void close() {}
  }
}
