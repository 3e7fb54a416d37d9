package io.polyworker.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.BpmnError;
import io.polyworker.Concurrency;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.spi.Capability;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.common.WorkerThreads;
import io.polyworker.worker.JobWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts on a {@link JobWorker} running against the engine: handler results, exceptions and null
 * results, the concurrency limit, automatic lock extension and lost locks, and close(). Run by the
 * {@link EngineCompatibilityKit} as its group "worker runtime".
 */
abstract class WorkerRuntimeKit extends KitSupport {

  @Test
  @DisplayName("a handler's result, variables and BPMN errors reach the engine")
  void handlerResults() {
    String topic = unique("t");
    CatchingProcess p = deployCatching(topic, "REJECTED");
    String ok = start(p.process(), Map.of("amount", 10), null);
    String rejected = start(p.process(), Map.of("amount", 1000), null);
    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    startWorker(topic, job -> {
      int amount = job.variables().get("amount", Integer.class);
      if (amount > 100) {
        throw new BpmnError("REJECTED", "too much", Map.of("limit", 100));
      }
      return JobResult.complete(Map.of("approved", true));
    }, SubscriptionOptions.defaults(), events);
    awaitState(ok, InstanceState.COMPLETED);
    assertThat(fixture().processVariables(ok)).containsEntry("approved", true);
    LockedJob onError = fetchOne(p.caughtTopic());
    assertThat(onError.processInstanceId()).isEqualTo(rejected);
    assertThat(onError.variables()).containsEntry("limit", 100);
    // COMPLETED follows the engine's answer, which may arrive after the engine shows the instance done.
    await().atMost(PATIENCE).until(() -> count(events, WorkerEvent.Type.COMPLETED) >= 1);
    assertThat(count(events, WorkerEvent.Type.COMPLETED)).isEqualTo(1);
    assertThat(count(events, WorkerEvent.Type.BPMN_ERROR)).isEqualTo(1);
  }

  @Test
  @DisplayName("a thrown exception fails the job with retries - 1, the backoff and the stack trace")
  void exceptionBecomesFailure() {
    String topic = topicWithOneJob();
    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    JobWorker worker = startWorker(topic, job -> {
      calls.incrementAndGet();
      throw new IllegalStateException("database down");
    }, SubscriptionOptions.builder().retryBackoff(Duration.ofSeconds(30)).defaultRetries(3).build(),
        events);
    await().atMost(PATIENCE).until(() -> count(events, WorkerEvent.Type.FAILED) == 1);
    worker.close();
    assertThat(calls).hasValue(1);
    WorkerEvent failed = events.stream().filter(e -> e.type() == WorkerEvent.Type.FAILED)
        .findFirst().orElseThrow();
    assertThat(failed.error()).hasMessage("database down");
    // The job is locked for the backoff: nobody gets it now.
    assertThat(fetch(unique("w"), topic, 1, Duration.ofSeconds(30))).isEmpty();
  }

  @Test
  @DisplayName("a handler returning null fails the job with a clear message, retries - 1")
  void nullResultBecomesFailure() {
    String topic = topicWithOneJob();
    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    JobWorker worker = startWorker(topic, job -> null,
        SubscriptionOptions.builder().retryBackoff(Duration.ofSeconds(1)).defaultRetries(3).build(),
        events);
    await().atMost(PATIENCE).until(() -> count(events, WorkerEvent.Type.FAILED) >= 1);
    worker.close();
    LockedJob again = fetchOne(topic);
    assertThat(again.retries()).isEqualTo(2);
  }

  @Test
  @DisplayName("the concurrency limit is never exceeded")
  void concurrencyLimit() {
    assertThat(runUnderLimit(Concurrency.fixed(3))).isBetween(2, 3);
  }

  @Test
  @DisplayName("an adaptive concurrency limit never exceeds its maximum")
  void adaptiveConcurrencyLimit() {
    assertThat(runUnderLimit(Concurrency.adaptive(1, 3))).isBetween(1, 3);
  }

  /** Runs 12 jobs of 150 ms under the limit; returns the most handlers that ran at once. */
  private int runUnderLimit(Concurrency limit) {
    String topic = unique("t");
    int jobs = 12;
    startInstances(deploySimple(topic), jobs);
    AtomicInteger now = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    startWorker(topic, job -> {
      int running = now.incrementAndGet();
      peak.accumulateAndGet(running, Math::max);
      try {
        Thread.sleep(150); // simulated work, not synchronisation
      } finally {
        now.decrementAndGet();
        done.incrementAndGet();
      }
      return JobResult.complete();
    }, SubscriptionOptions.builder().maxConcurrentJobs(limit).build(), events);
    await().atMost(PATIENCE).until(() -> count(events, WorkerEvent.Type.COMPLETED) == jobs);
    assertThat(events.stream().filter(e -> e.type() == WorkerEvent.Type.FETCHED)
        .mapToInt(WorkerEvent::count)).allMatch(n -> n <= limit.max());
    return peak.get();
  }

  @Test
  @DisplayName("a topic with no handler never takes a job")
  void unsubscribedTopicIsUntouched() {
    String topic = unique("t");
    String other = unique("other");
    TestProcess p = deploySimple(topic);
    deploySimple(other);
    start(p, Map.of(), null);
    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    startWorker(other, job -> JobResult.complete(), SubscriptionOptions.defaults(), events);
    await().atMost(PATIENCE).until(() -> count(events, WorkerEvent.Type.POLL_EMPTY) >= 3);
    LockedJob job = fetchOne(topic);
    assertThat(job.topic()).isEqualTo(topic);
    assertThat(count(events, WorkerEvent.Type.STARTED)).isZero();
  }

  @Test
  @DisplayName("a handler running three times its lock duration completes exactly once")
  void automaticLockExtension() {
    require(Capability.LOCK_EXTENSION);
    OneJob one = startOneJob();
    AtomicInteger calls = new AtomicInteger();
    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    JobHandler slow = job -> {
      calls.incrementAndGet();
      Thread.sleep(3_000); // three lock durations of simulated work
      return JobResult.complete(Map.of("lockLost", job.isLockLost()));
    };
    SubscriptionOptions lock1s = SubscriptionOptions.builder().lockDuration(Duration.ofSeconds(1)).build();
    startWorker(one.topic(), slow, lock1s, events);
    List<WorkerEvent> rivalEvents = new CopyOnWriteArrayList<>();
    startWorker(one.topic(), slow, lock1s, rivalEvents);
    awaitState(one.instance(), InstanceState.COMPLETED);
    // The engine shows the instance completed before the worker has read the answer to its complete
    // and emitted COMPLETED: wait for the event, then count.
    await().atMost(PATIENCE).until(() -> count(events, WorkerEvent.Type.COMPLETED)
        + count(rivalEvents, WorkerEvent.Type.COMPLETED) >= 1);
    assertThat(calls).hasValue(1);
    List<WorkerEvent> all = new ArrayList<>(events);
    all.addAll(rivalEvents);
    assertThat(count(all, WorkerEvent.Type.COMPLETED)).isEqualTo(1);
    assertThat(count(all, WorkerEvent.Type.LOCK_EXTENDED)).isGreaterThanOrEqualTo(2);
    assertThat(count(all, WorkerEvent.Type.LOCK_LOST)).isZero();
    assertThat(fixture().processVariables(one.instance())).containsEntry("lockLost", false);
  }

  @Test
  @DisplayName("a handler outliving its lock without extension sees the lost lock")
  void lockLostWithoutExtension() {
    String topic = topicWithOneJob();
    CountDownLatch lost = new CountDownLatch(1);
    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    // lockExtension(false) asks for what engines without extension (Flowable) always do.
    startWorker(topic, job -> {
      await().atMost(PATIENCE).until(job::isLockLost);
      lost.countDown();
      return JobResult.complete();
    }, SubscriptionOptions.builder().lockDuration(Duration.ofSeconds(1)).lockExtension(false).build(),
        events);
    await().atMost(PATIENCE).until(() -> lost.getCount() == 0);
    assertThat(count(events, WorkerEvent.Type.LOCK_LOST)).isGreaterThanOrEqualTo(1);
    assertThat(count(events, WorkerEvent.Type.LOCK_EXTENDED)).isZero();
  }

  @Test
  @DisplayName("a result after losing the lock to another worker is reported as lock lost, not success")
  void resultAfterLockLossIsReportedAsLost() {
    require(Capability.LOCK_OWNERSHIP);
    String topic = topicWithOneJob();
    String rival = unique("rival");
    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    AtomicLong rivalGot = new AtomicLong();
    startWorker(topic, job -> {
      // Wait until another worker has taken the expired job, then answer.
      LockedJob stolen = fetchOne(rival, topic, Duration.ofSeconds(30));
      rivalGot.set(1);
      return JobResult.complete(Map.of("from", "stale"));
    }, // One slot, held by the waiting handler: this worker cannot fetch the expired job itself
       // (then it would run twice and lose two locks), only the rival can.
        SubscriptionOptions.builder().maxConcurrentJobs(1).lockDuration(Duration.ofSeconds(1))
            .lockExtension(false).build(),
        events);
    await().atMost(PATIENCE).until(() -> rivalGot.get() == 1);
    // close() waits for the stale report: the engine refuses it, and the lock counts as lost once
    // (when it ran out, or when the engine refused the result), never as a success.
    closeWorkers();
    assertThat(count(events, WorkerEvent.Type.LOCK_LOST)).isEqualTo(1);
    assertThat(count(events, WorkerEvent.Type.COMPLETED)).isZero();
  }

  @Test
  @DisplayName("close() lets running handlers finish and releases fetched jobs not yet started")
  void closeDrainsAndReleases() {
    drainAndRelease(Concurrency.fixed(3));
  }

  @Test
  @DisplayName("close() drains and releases with an adaptive concurrency limit too")
  void closeDrainsAndReleasesWithAnAdaptiveLimit() {
    drainAndRelease(Concurrency.adaptive(3, 6));
  }

  private void drainAndRelease(Concurrency limit) {
    require(Capability.RELEASE);
    String topic = unique("t");
    startInstances(deploySimple(topic), 3);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    ExecutorService single = Executors.newSingleThreadExecutor();
    try {
      // One handler thread, three slots: the worker holds three jobs but runs only one at a time.
      JobWorker worker = startWorker(topic, job -> {
        running.countDown();
        proceed.await();
        return JobResult.complete();
      }, SubscriptionOptions.builder().maxConcurrentJobs(limit).executor(single).build(), events);
      await().atMost(PATIENCE).until(() -> events.stream()
          .filter(e -> e.type() == WorkerEvent.Type.FETCHED).mapToInt(WorkerEvent::count).sum() >= 2
          && running.getCount() == 0);
      Thread closer = new Thread(worker::close);
      closer.start();
      await().atMost(PATIENCE).until(() -> !worker.isRunning());
      proceed.countDown();
      await().atMost(PATIENCE).until(() -> !closer.isAlive());
    } finally {
      proceed.countDown();
      single.shutdownNow();
    }
    assertThat(count(events, WorkerEvent.Type.COMPLETED)).isEqualTo(1);
    long released = count(events, WorkerEvent.Type.RELEASED);
    assertThat(released).isGreaterThanOrEqualTo(1);
    String w = unique("w");
    List<LockedJob> again = new ArrayList<>();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      again.addAll(fetch(w, topic, 3, Duration.ofSeconds(30)));
      return again.size() >= 2;
    });
  }

  @Test
  @DisplayName("no thread of the worker outlives close()")
  void noThreadLeaks() {
    String topic = topicWithOneJob(); // one job, so that a handler thread (virtual on Java 21+) runs
    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    WorkerThreads before = WorkerThreads.snapshot();
    JobWorker worker = startWorker(topic, job -> JobResult.complete(), SubscriptionOptions.defaults(), events);
    await().atMost(PATIENCE).until(() -> count(events, WorkerEvent.Type.COMPLETED) >= 1);
    worker.close();
    before.awaitNoNewThreads(Duration.ofSeconds(10));
  }
}
