package io.polyworker.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.NotFoundException;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerEvent.Type;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.memory.InMemoryEngine;
import io.polyworker.testkit.memory.InMemoryEngine.Operation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The runtime on the production path: saturated workers, jobs queued for a thread, lock keeping
 * around reports, close() against a slow engine, failure logging. Each test reproduces one defect
 * found in review (issue 18) and failed before its fix.
 */
class ProductionPathTest extends RuntimeTestSupport {
  /** The runtime's documented bounds (README, "The worker under load"). */
  private static final class SubscriptionRunnerLimits {
    static final int PUSH_QUEUE = 4;
  }

  @Test
  void aSaturatedStreamingWorkerLeavesTheExcessInTheEngineInsteadOfReleasingItInALoop() throws Exception {
    PushingEngine pushing = new PushingEngine();
    List<WorkerEvent> seen = new CopyOnWriteArrayList<>();
    CountDownLatch gate = new CountDownLatch(1);
    JobWorker worker = JobWorker.builder(pushing)
        .options(workerOptions().listener(seen::add).build())
        .subscribe("t", job -> {
          gate.await(10, TimeUnit.SECONDS);
          return JobResult.complete();
        }, SubscriptionOptions.builder().maxConcurrentJobs(1).build())
        .build().start();
    try {
      await().atMost(PATIENCE).until(() -> pushing.openStreams() == 1);
      // The engine pushes from its own thread; the worker never holds it up.
      Thread engine = new Thread(() -> pushing.create(10), "pushing-engine");
      engine.start();
      await().atMost(PATIENCE).until(() -> seen.stream().anyMatch(e -> e.type() == Type.STARTED));
      // Saturated and a pushed job waiting: the stream is paused, so the rest stays in the engine.
      await().atMost(PATIENCE).until(() -> pushing.openStreams() == 0);
      engine.join(PATIENCE.toMillis());
      assertThat(engine.isAlive()).as("the engine's push thread is never held up").isFalse();
      // What was pushed past the slot and the queue before the pause took effect goes back once the
      // stream is closed: the worker holds at most what it can start.
      await().atMost(PATIENCE).untilAsserted(() -> assertThat(pushing.delivered.get() - pushing.releases.get())
          .isLessThanOrEqualTo(1 + SubscriptionRunnerLimits.PUSH_QUEUE));
      gate.countDown();
      await().atMost(PATIENCE).until(() -> pushing.completedJobs() == 10);
      assertThat(pushing.completions.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
      // Never a loop: a released job was not pushed back to this worker's paused stream.
      assertThat(pushing.releasesByJob.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
      // No backlog left: the stream is open again for new jobs.
      await().atMost(PATIENCE).until(() -> pushing.openStreams() == 1);
    } finally {
      gate.countDown();
      worker.close();
    }
  }

  @Test
  void pushesWhileAFetchHoldsTheFreeSlotsWaitForThemInsteadOfPausingTheStream() throws Exception {
    PushingEngine pushing = new PushingEngine();
    pushing.holdFetches();
    List<WorkerEvent> seen = new CopyOnWriteArrayList<>();
    JobWorker worker = JobWorker.builder(pushing)
        .options(workerOptions().listener(seen::add).build())
        .subscribe("t", job -> JobResult.complete(), SubscriptionOptions.builder().maxConcurrentJobs(8).build())
        .build().start();
    try {
      // The idle worker's poller has reserved every free slot for a fetch the engine holds open.
      await().atMost(PATIENCE).until(() -> pushing.openStreams() == 1 && pushing.fetchesHeld() == 1);
      pushing.create(8);
      // Not saturated (no job holds a slot): nothing is handed back, the stream stays open.
      assertThat(pushing.releases.get()).isZero();
      assertThat(pushing.openStreams()).isEqualTo(1);
      pushing.releaseFetches();
      await().atMost(PATIENCE).until(() -> pushing.completedJobs() == 8);
      assertThat(pushing.completions.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
      assertThat(pushing.releases.get()).isZero();
      assertThat(pushing.openStreams()).isEqualTo(1);
    } finally {
      pushing.releaseFetches();
      worker.close();
    }
  }

  @Test
  void aQueuedJobWhoseLockRanOutIsNeverRunButLeftToTheEngine() {
    String topic = unique("t");
    String key = deploy(topic);
    ExecutorService oneThread = Executors.newSingleThreadExecutor();
    Set<String> startedWithExpiredLock = ConcurrentHashMap.newKeySet();
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch firstRunning = new CountDownLatch(1);
    try {
      startWorker(topic, job -> {
        if (job.lockExpiresAt().isBefore(Instant.now())) {
          startedWithExpiredLock.add(job.id());
        }
        if (runs.incrementAndGet() == 1) {
          firstRunning.countDown();
          Thread.sleep(2_500); // longer than the lock of the job queued behind it
        }
        return JobResult.complete();
      }, SubscriptionOptions.builder().maxConcurrentJobs(2).executor(oneThread)
          .lockDuration(Duration.ofSeconds(1)).lockExtension(false).build());
      String first = start(key);
      await().atMost(PATIENCE).until(() -> firstRunning.getCount() == 0);
      String second = start(key);
      await().atMost(PATIENCE).until(() -> engine.instanceState(first) == InstanceState.COMPLETED
          && engine.instanceState(second) == InstanceState.COMPLETED);
      assertThat(startedWithExpiredLock).isEmpty();
      assertThat(count(Type.LOCK_LOST)).isGreaterThanOrEqualTo(1);
    } finally {
      oneThread.shutdownNow();
    }
  }

  @Test
  void locksOfQueuedJobsAreExtendedWhileTheyWaitForAThread() {
    String topic = unique("t");
    String key = deploy(topic);
    ExecutorService oneThread = Executors.newSingleThreadExecutor();
    AtomicInteger runs = new AtomicInteger();
    try {
      startWorker(topic, job -> {
        if (runs.incrementAndGet() == 1) {
          Thread.sleep(2_500);
        }
        return JobResult.complete();
      }, SubscriptionOptions.builder().maxConcurrentJobs(2).executor(oneThread)
          .lockDuration(Duration.ofSeconds(1)).build());
      String first = start(key);
      await().atMost(PATIENCE).until(() -> count(Type.STARTED) == 1);
      String second = start(key);
      await().atMost(PATIENCE).until(() -> engine.instanceState(first) == InstanceState.COMPLETED
          && engine.instanceState(second) == InstanceState.COMPLETED);
      assertThat(runs).hasValue(2);
      assertThat(count(Type.LOCK_LOST)).isZero();
      assertThat(count(Type.COMPLETED)).isEqualTo(2);
    } finally {
      oneThread.shutdownNow();
    }
  }

  @Test
  void heartbeatsGoOnWhileAResultIsRetriedSoTheLockIsKept() {
    String topic = unique("t");
    String instance = start(deploy(topic));
    // About three seconds of refused completes (100 ms backoff doubling), against a 1 s lock.
    engine.failNext(Operation.COMPLETE, 5, () -> InMemoryEngine.unavailable(Operation.COMPLETE));
    startWorker(topic, job -> JobResult.complete(),
        SubscriptionOptions.builder().lockDuration(Duration.ofSeconds(1)).build());
    awaitEvents(Type.REPORT_RETRIED, 3);
    // Past the first lock's end while the report is still being retried: nobody else gets the job.
    assertThat(fetchAsRival(topic)).isZero();
    await().atMost(PATIENCE).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
    assertThat(count(Type.LOCK_EXTENDED)).isGreaterThanOrEqualTo(2);
    assertThat(count(Type.LOCK_LOST)).isZero();
    assertThat(count(Type.COMPLETED)).isEqualTo(1);
  }

  private int fetchAsRival(String topic) {
    try {
      return engine.jobClient().fetchAndLock(io.polyworker.spi.FetchRequest.of("rival", topic, 1,
          Duration.ofSeconds(30))).get(5, TimeUnit.SECONDS).size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void anExtensionRefusedBecauseOurOwnCompletionWonTheRaceIsNoLockLoss() {
    String topic = unique("t");
    String instance = start(deploy(topic));
    CountDownLatch handlerMayReturn = new CountDownLatch(1);
    // The extension reaches the engine after the completion: "no such job".
    engine.failNext(Operation.EXTEND_LOCK, 1, () -> {
      handlerMayReturn.countDown();
      await().atMost(PATIENCE).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
      return new NotFoundException(InMemoryEngine.ID, "extendLock", 404, null, "no such job", null);
    });
    startWorker(topic, job -> {
      handlerMayReturn.await(10, TimeUnit.SECONDS);
      return JobResult.complete();
    }, SubscriptionOptions.builder().lockDuration(Duration.ofSeconds(1)).build());
    await().atMost(PATIENCE).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
    awaitEvents(Type.COMPLETED, 1);
    // The refused extension answered after the completion; give its handling every chance.
    closeWorkers();
    assertThat(count(Type.LOCK_LOST)).isZero();
  }

  @Test
  void oneSlowExtensionDoesNotDelayTheHeartbeatsOfOtherJobs() {
    String topic = unique("t");
    String key = deploy(topic);
    CountDownLatch release = new CountDownLatch(1);
    // The first five extension calls hang (a slow engine answering one connection), more than the
    // old pool of four extender threads.
    engine.failNext(Operation.EXTEND_LOCK, 5, () -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return InMemoryEngine.unavailable(Operation.EXTEND_LOCK);
    });
    try {
      // All six exist before the worker starts, so that its first fetch takes them together.
      for (int i = 0; i < 6; i++) {
        start(key);
      }
      startWorker(topic, job -> {
        release.await(10, TimeUnit.SECONDS);
        return JobResult.complete();
      }, SubscriptionOptions.builder().maxConcurrentJobs(6).lockDuration(Duration.ofSeconds(1)).build());
      // Job six's heartbeat must not wait behind the five hanging calls.
      await().atMost(Duration.ofMillis(2_500)).until(() -> count(Type.LOCK_EXTENDED) >= 1);
    } finally {
      release.countDown();
    }
  }

  @Test
  void closeReleasesQueuedJobsAllAtOnceAndReturnsInTimeWhenTheEngineIsSlow() {
    String topic = unique("t");
    String key = deploy(topic);
    ExecutorService oneThread = Executors.newSingleThreadExecutor();
    CountDownLatch running = new CountDownLatch(1);
    try {
      // All nine exist before the worker starts, so that its first fetch takes them together.
      for (int i = 0; i < 9; i++) {
        start(key);
      }
      JobWorker worker = startWorker(topic, job -> {
        running.countDown();
        Thread.sleep(60_000); // interrupted by close() after the drain timeout
        return JobResult.complete();
      }, SubscriptionOptions.builder().maxConcurrentJobs(9).executor(oneThread).build(),
          workerOptions().drainTimeout(Duration.ofSeconds(1)).build());
      await().atMost(PATIENCE).until(() -> running.getCount() == 0 && count(Type.FETCHED) >= 1
          && engine.jobs().stream().filter(j -> j.lockOwner() != null).count() == 9);
      // Every release takes two seconds to answer.
      engine.failNext(Operation.RELEASE, 20, () -> {
        try {
          Thread.sleep(2_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return InMemoryEngine.unavailable(Operation.RELEASE);
      });
      long started = System.nanoTime();
      worker.close();
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      // drainTimeout 1 s plus the 5 s grace at most; one release after another would take 16 s.
      assertThat(tookMillis).isLessThan(6_500);
      assertThat(engine.calls(Operation.RELEASE)).isGreaterThanOrEqualTo(8);
    } finally {
      oneThread.shutdownNow();
    }
  }

  @Test
  void everyFailedAttemptIsLoggedOnceAtWarnWithoutVariableValues() {
    String topic = unique("t");
    String instance = engine.processClient().startProcess(deploy(topic), Map.of("card", "4111-SECRET-1111"));
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      startWorker(topic, job -> {
        throw new IllegalStateException("inventory service down");
      }, SubscriptionOptions.builder().defaultRetries(3).retryBackoff(Duration.ZERO).build());
      await().atMost(PATIENCE).until(() -> engine.hasIncident(instance));
      awaitEvents(Type.FAILED, 3);
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    List<String> warnings = log.lines().filter(l -> l.contains("WARN") && l.contains("inventory service down")
        && l.contains(topic)).toList();
    assertThat(warnings).hasSize(3);
    // One line per attempt (their order may differ: each is written once the engine took it).
    assertThat(warnings).allSatisfy(w -> assertThat(w).contains(InMemoryEngine.ID));
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("2 retries left"))
        .anySatisfy(w -> assertThat(w).contains("1 retry left"))
        .anySatisfy(w -> assertThat(w).contains("no retries left"));
    // The stack trace once, not per attempt.
    assertThat(log.lines().filter(l -> l.contains("at io.polyworker.worker.ProductionPathTest")).count())
        .isEqualTo(1);
    assertThat(log).doesNotContain("4111-SECRET-1111");
  }

  @Test
  void aRetryBackoffEndsWithinItsTimeAlthoughALongPollIsOpen() {
    engine.close();
    // Like Camunda: an open long poll is answered when a job is created or unlocked, not when a
    // retry backoff ends.
    engine = InMemoryEngine.builder().longPolling(true).build();
    String topic = unique("t");
    String instance = start(deploy(topic));
    AtomicInteger attempts = new AtomicInteger();
    List<long[]> timeline = new CopyOnWriteArrayList<>(); // {type ordinal, nanoTime}
    startWorker(topic, job -> {
      if (attempts.incrementAndGet() == 1) {
        throw new IllegalStateException("first attempt fails");
      }
      return JobResult.complete();
    }, SubscriptionOptions.builder().maxConcurrentJobs(4).retryBackoff(Duration.ofSeconds(1))
        .longPollTimeout(Duration.ofSeconds(10)).build(),
        workerOptions().listener(e -> timeline.add(new long[] {e.type().ordinal(), System.nanoTime()})).build());
    await().atMost(PATIENCE).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
    long failedAt = timeline.stream().filter(t -> t[0] == Type.FAILED.ordinal()).findFirst().orElseThrow()[1];
    List<long[]> started = timeline.stream().filter(t -> t[0] == Type.STARTED.ordinal()).toList();
    assertThat(started).hasSize(2);
    long againMillis = (started.get(1)[1] - failedAt) / 1_000_000;
    assertThat(againMillis).isBetween(900L, 1_500L);
  }

  @Test
  void jobsPushedWhileCloseBeginsAreReleasedOrRunNeverDropped() throws Exception {
    for (int round = 0; round < 20; round++) {
      PushingEngine pushing = new PushingEngine();
      JobWorker worker = JobWorker.builder(pushing)
          .options(workerOptions().drainTimeout(Duration.ofSeconds(2)).build())
          .subscribe("t", job -> JobResult.complete(), SubscriptionOptions.builder().maxConcurrentJobs(2).build())
          .build().start();
      await().atMost(PATIENCE).until(() -> pushing.openStreams() == 1);
      AtomicInteger created = new AtomicInteger();
      Thread pusher = new Thread(() -> {
        while (created.get() < 200) {
          pushing.create(1);
          created.incrementAndGet();
        }
      });
      pusher.start();
      int before = 5 + round * 3;
      await().atMost(PATIENCE).until(() -> created.get() >= before);
      worker.close();
      pusher.join(10_000);
      // Every job the engine made is completed once or available again: none is held by a closed
      // worker (which on a real engine means locked until its timeout, with nothing logged).
      int completed = pushing.completions.values().stream().mapToInt(AtomicInteger::get).sum();
      assertThat(completed + pushing.available()).as("round %d", round).isEqualTo(created.get());
    }
  }
}
