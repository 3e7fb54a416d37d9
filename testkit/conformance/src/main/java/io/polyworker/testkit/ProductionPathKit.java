package io.polyworker.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.polyworker.engine.Engine;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.worker.JobWorker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The production path (issue 18): a worker saturated by a backlog, jobs waiting for an executor
 * thread, close() while the engine is unreachable, report errors that end, retry backoffs. These
 * contracts describe what a worker must do whatever the JVM (platform or virtual threads). The
 * {@link EngineCompatibilityKit} runs them as its group "production path", tagged
 * {@value EngineCompatibilityKit#PRODUCTION_PATH} so that they can be run alone
 * ({@code -Dgroups=production-path}).
 */
abstract class ProductionPathKit extends KitSupport {

  @Test
  @DisplayName("a saturated worker (one slot, a backlog created after it opened, so pushed where the engine streams) runs every job exactly once and releases no more jobs than the excess")
  void saturatedWorkerRunsEveryJobOnce() {
    String topic = unique("t");
    TestProcess p = deploySimple(topic);
    int jobs = 6;
    Map<String, AtomicInteger> runsByJob = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> runsByInstance = new ConcurrentHashMap<>();
    TimedEvents events = new TimedEvents();
    startWorker(topic, job -> {
      runsByJob.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
      runsByInstance.computeIfAbsent(job.processInstanceId(), k -> new AtomicInteger()).incrementAndGet();
      Thread.sleep(400); // simulated work, not synchronisation
      return JobResult.complete();
    }, oneSlotTenSecondLock(), events);
    // Open first: a stream (Zeebe) pushes only jobs created after it registered.
    await("the worker's first poll").atMost(PATIENCE).until(() -> events.count(WorkerEvent.Type.POLL_EMPTY) >= 1);
    long began = System.nanoTime();
    List<String> instances = startInstances(p, jobs);
    awaitCompleted(instances);
    await("a COMPLETED event for every job").atMost(Duration.ofSeconds(10))
        .until(() -> events.count(WorkerEvent.Type.COMPLETED) >= jobs);
    String seen = "events in " + Duration.ofNanos(System.nanoTime() - began).toMillis() + " ms: "
        + events.summary();
    measured("saturated", "1 slot, %d jobs of 400 ms: %s; runs per job %s", jobs, seen,
        runsByJob.values());
    assertThat(runsByInstance).as("handler runs per instance (%s)", seen).containsOnlyKeys(instances);
    assertThat(runsByInstance.values()).as("handler runs per instance (%s)", seen)
        .allSatisfy(n -> assertThat(n).hasValue(1));
    assertThat(runsByJob.values()).as("handler runs per job (%s)", seen)
        .allSatisfy(n -> assertThat(n).hasValue(1));
    assertThat(events.count(WorkerEvent.Type.COMPLETED)).as(seen).isEqualTo(jobs);
    assertThat(events.count(WorkerEvent.Type.RELEASED))
        .as("RELEASED events for %d jobs beyond the one slot (%s)", jobs - 1, seen)
        .isLessThanOrEqualTo(jobs - 1);
    assertThat(events.count(WorkerEvent.Type.LOCK_LOST)).as(seen).isZero();
  }

  /**
   * One slot and a 10 s lock. The lock: a job the engine pushes while the stream pauses can come
   * back only after its timeout (an open defect on Zeebe, see RELIABILITY.md); it must still run
   * exactly once.
   */
  private static SubscriptionOptions oneSlotTenSecondLock() {
    return SubscriptionOptions.builder().maxConcurrentJobs(1).lockDuration(Duration.ofSeconds(10))
        .longPollTimeout(LONG_POLL).build();
  }

  /** One handler run: which job, when it started, and until when its lock held as the handler saw it. */
  private record Run(String jobId, Instant started, Instant lockExpiresAt) {}

  @Test
  @DisplayName("a job whose lock ran out while it waited for an executor thread is not run under that lock, is reported as LOCK_LOST, and is done exactly once afterwards")
  void jobExpiredInTheQueueIsNotRun() throws Exception {
    String topic = unique("t");
    List<String> instances = startInstances(deploySimple(topic), 2);
    List<Run> runs = new CopyOnWriteArrayList<>();
    AtomicReference<String> first = new AtomicReference<>();
    AtomicReference<String> firstInstance = new AtomicReference<>();
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    TimedEvents events = new TimedEvents();
    // One executor thread for two slots: the second job waits for the thread while its lock
    // (2 s, no extension, so nothing keeps it) runs out.
    ExecutorService oneThread = Executors.newSingleThreadExecutor();
    try {
      JobWorker worker = startWorker(topic, job -> {
        runs.add(new Run(job.id(), Instant.now(), job.lockExpiresAt()));
        if (first.compareAndSet(null, job.id())) {
          firstInstance.set(job.processInstanceId());
          firstRunning.countDown();
          proceed.await(); // until the queued job's lock has run out
        }
        return JobResult.complete(Map.of("by", "worker"));
      }, SubscriptionOptions.builder().maxConcurrentJobs(2).executor(oneThread)
          .lockDuration(Duration.ofSeconds(2)).lockExtension(false).build(), events);
      await("the worker holds both jobs, the second queued behind the busy executor thread")
          .atMost(PATIENCE).until(() -> firstRunning.getCount() == 0 && events.fetched() >= 2);

      // The worker notices the queued job's lock running out and frees its slot. (The first job's
      // lock runs out too, while its handler runs.)
      TimedEvents.Timed lost = await("the worker reports the queued job's lost lock").atMost(PATIENCE)
          .until(() -> events.first(WorkerEvent.Type.LOCK_LOST, e -> !first.get().equals(e.jobId())),
              Optional::isPresent)
          .orElseThrow();
      String queued = lost.event().jobId();
      Instant lostAt = Instant.now();
      proceed.countDown();

      // The engine offers the job again. Another worker polls for it; this worker may take it too
      // (its slot is free, and on Zeebe a timed-out job is pushed to the open job stream at once).
      // Whoever takes it holds a new lock; the run under the lock that ran out must never happen.
      String rival = unique("rival");
      List<LockedJob> taken = new CopyOnWriteArrayList<>();
      Set<String> running = ConcurrentHashMap.newKeySet();
      running.addAll(instances);
      await("every instance completed, the queued job by another worker or by this one under a new lock")
          .atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (LockedJob j : fetch(rival, topic, 2, Duration.ofSeconds(30))) {
              client().complete(j, rival, Map.of("by", "rival"), Map.of());
              taken.add(j);
            }
            running.removeIf(i -> fixture().instanceState(i) == InstanceState.COMPLETED);
            return running.isEmpty();
          });
      worker.close(); // nothing runs after close(): what follows is final
      long byRival = taken.stream().filter(j -> j.id().equals(queued)).count();
      String seen = "queued job " + queued + " lost its lock here about " + lostAt + "; taken by the"
          + " other worker " + byRival + "x; runs here: " + runs + "; events: " + events.summary();
      measured("lock-expired-in-queue", "%s", runs.stream().map(r -> r.jobId()
          + (r.jobId().equals(queued) ? " (queued)" : " (first)") + " started "
          + Duration.between(r.lockExpiresAt(), r.started()).toMillis() + " ms after its lock expiry")
          .collect(java.util.stream.Collectors.joining(", ")) + "; taken by the other worker: "
          + byRival + "; events: " + events.summary());
      assertThat(runs).as("handler runs that started after their job's lock had expired (%s)", seen)
          .allSatisfy(r -> assertThat(r.started()).isBefore(r.lockExpiresAt()));
      assertThat(runs).as("handler runs of the queued job under the lock that ran out (%s)", seen)
          .noneMatch(r -> r.jobId().equals(queued) && !r.lockExpiresAt().isAfter(lostAt));
      assertThat(events.count(WorkerEvent.Type.LOCK_LOST, queued)).as("LOCK_LOST of the queued job (%s)", seen)
          .isGreaterThanOrEqualTo(1);
      assertThat(byRival + events.count(WorkerEvent.Type.COMPLETED, queued))
          .as("completions of the queued job, by the other worker and by this one (%s)", seen).isEqualTo(1);
      String queuedInstance = instances.stream().filter(i -> !i.equals(firstInstance.get()))
          .findFirst().orElseThrow();
      assertThat(fixture().processVariables(queuedInstance)).as(seen)
          .containsEntry("by", byRival == 1 ? "rival" : "worker");
    } finally {
      proceed.countDown();
      oneThread.shutdownNow();
    }
  }

  @Test
  @DisplayName("close() with the engine unreachable returns within drainTimeout plus one request timeout, and every job it held is done later by another worker")
  void closeWithEngineUnreachable() throws Exception {
    Duration requestTimeout = Duration.ofSeconds(3);
    Duration drainTimeout = Duration.ofSeconds(2);
    Duration bound = drainTimeout.plusSeconds(6);
    // About as long as close() may take here (drainTimeout + request timeout): whatever the cut-off
    // worker could not hand back comes free soon after it closed, not 10 s later.
    Duration lock = Duration.ofSeconds(6);
    Optional<EngineFixture.Severable> severable = fixture().severableEngine(requestTimeout);
    assumeTrue(severable.isPresent(), () -> engine().id() + ": the fixture cannot cut a worker off the engine");
    String topic = unique("t");
    List<String> instances = startInstances(deploySimple(topic), 4);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    TimedEvents events = new TimedEvents();
    ExecutorService oneThread = Executors.newSingleThreadExecutor();
    Duration took;
    try (EngineFixture.Severable cutOff = severable.get()) {
      // Four slots, one thread: one job runs (until interrupted), three wait unstarted.
      JobWorker worker = openWorker(cutOff.engine(), topic, job -> {
        running.countDown();
        never.await(); // only close() ends it, by interrupting
        return JobResult.complete();
      }, SubscriptionOptions.builder().maxConcurrentJobs(4).executor(oneThread)
          .lockDuration(lock).longPollTimeout(LONG_POLL).build(),
          events, drainTimeout);
      await("the worker holds the four jobs, one running").atMost(PATIENCE)
          .until(() -> running.getCount() == 0 && events.fetched() >= 4);
      cutOff.cut();
      long closing = System.nanoTime();
      CompletableFuture<Void> closed = CompletableFuture.runAsync(worker::close);
      try {
        closed.get(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("close() with the engine unreachable has not returned after 60 s; events: "
            + events.summary());
      }
      took = Duration.ofNanos(System.nanoTime() - closing);
      measured("close-unreachable", "close() took %d ms (drainTimeout %d ms, request timeout %d ms); events: %s",
          took.toMillis(), drainTimeout.toMillis(), requestTimeout.toMillis(), events.summary());
      assertThat(took).as("close() with the engine unreachable (drainTimeout %d ms, request timeout %d ms);"
          + " events:%n%s", drainTimeout.toMillis(), requestTimeout.toMillis(), events.timeline(closing))
          .isLessThanOrEqualTo(bound);
      cutOff.heal();
    } finally {
      never.countDown();
      oneThread.shutdownNow();
    }
    // Nothing lost: released jobs are offered at once, the others when their 6 s locks expire.
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    TimedEvents fresh = new TimedEvents();
    startWorker(topic, job -> {
      runs.computeIfAbsent(job.processInstanceId(), k -> new AtomicInteger()).incrementAndGet();
      return JobResult.complete();
    }, SubscriptionOptions.defaults(), fresh);
    awaitCompleted(instances);
    assertThat(events.count(WorkerEvent.Type.COMPLETED)).as("completions by the cut-off worker").isZero();
    assertThat(runs).as("runs by the fresh worker, per instance").containsOnlyKeys(instances);
    assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
  }

  @Test
  @DisplayName("an authentication failure on complete followed by recovery ends COMPLETED, not FAILED, and the handler runs once")
  void authFailureOnCompleteIsRetried() {
    int refusals = 2;
    AtomicBoolean refusing = new AtomicBoolean();
    AtomicInteger refused = new AtomicInteger();
    AtomicLong lastAsked = new AtomicLong(System.nanoTime());
    Supplier<String> tokens = () -> {
      try {
        if (refusing.get()) {
          if (refused.incrementAndGet() >= refusals) {
            refusing.set(false);
          }
          throw new IllegalStateException("token service unavailable (injected)");
        }
        return "kit-token";
      } finally {
        lastAsked.set(System.nanoTime());
      }
    };
    Optional<Engine> authenticated = fixture().engineWithAuth(tokens);
    assumeTrue(authenticated.isPresent(), () -> engine().id() + ": the fixture has no engine with token authentication");
    OneJob one = startOneJob();
    Duration lifetime = fixture().tokenLifetime();
    List<String> retriesSeen = new CopyOnWriteArrayList<>();
    TimedEvents events = new TimedEvents();
    try (Engine authed = authenticated.get()) {
      // One slot: while the job is held nothing polls, so the refused token requests are the report's.
      JobWorker worker = openWorker(authed, one.topic(), job -> {
        retriesSeen.add(String.valueOf(job.retries()));
        if (retriesSeen.size() == 1) {
          // Where tokens are cached, let this one go stale so that the report asks for a new one.
          await().atMost(lifetime.plusSeconds(10)).pollInterval(Duration.ofMillis(50))
              .until(() -> System.nanoTime() - lastAsked.get() > lifetime.toNanos());
          refusing.set(true);
        }
        return JobResult.complete(Map.of("done", true));
      }, oneSlotTenSecondLock(), events, Duration.ofSeconds(20));
      await("the result's report ended").atMost(PATIENCE).until(() -> events.count(WorkerEvent.Type.COMPLETED)
          + events.count(WorkerEvent.Type.FAILED) + events.count(WorkerEvent.Type.REPORT_FAILED) > 0);
      String seen = "token requests refused: " + refused.get() + "; events: " + events.summary();
      measured("auth-failure-on-complete", "%s", seen);
      assertThat(refused.get()).as("token requests refused while the result was reported: none means the"
          + " engine still held a fresh token, i.e. the fixture's tokenLifetime() is too short (%s)", seen)
          .isPositive();
      assertThat(events.count(WorkerEvent.Type.FAILED)).as("FAILED events (%s)", seen).isZero();
      assertThat(events.count(WorkerEvent.Type.REPORT_FAILED)).as("REPORT_FAILED events (%s)", seen).isZero();
      assertThat(events.count(WorkerEvent.Type.COMPLETED)).as("COMPLETED events (%s)", seen).isEqualTo(1);
      assertThat(events.count(WorkerEvent.Type.REPORT_RETRIED)).as("REPORT_RETRIED events (%s)", seen)
          .isGreaterThanOrEqualTo(1);
      awaitCompleted(List.of(one.instance()));
      assertThat(fixture().processVariables(one.instance())).containsEntry("done", true);
      assertThat(retriesSeen).as("handler runs, by the retries they saw: once, so no retry was used (%s)", seen)
          .hasSize(1);
      worker.close();
    }
  }

  @Test
  @DisplayName("a job failed with a 1 s retry backoff is running again within 1.5 s (plus the engine's own lock reset period)")
  void retryBackoffIsHonoured() {
    String topic = topicWithOneJob();
    AtomicInteger attempts = new AtomicInteger();
    TimedEvents events = new TimedEvents();
    // Default slots; a 3 s long poll, so that on Camunda a long poll is open while the 1 s backoff
    // runs (longer ones only make close() wait longer for the last poll).
    openWorker(engine(), topic, job -> {
      if (attempts.incrementAndGet() == 1) {
        throw new IllegalStateException("the first attempt fails (injected)");
      }
      return JobResult.complete();
    }, SubscriptionOptions.builder().retryBackoff(Duration.ofSeconds(1))
        .longPollTimeout(Duration.ofSeconds(3)).build(), events,
        Duration.ofSeconds(20));
    await("the second attempt").atMost(PATIENCE).until(() -> events.count(WorkerEvent.Type.STARTED) >= 2);
    long failedAt = events.nth(WorkerEvent.Type.FAILED, 1).orElseThrow().nanos();
    long again = events.nth(WorkerEvent.Type.STARTED, 2).orElseThrow().nanos();
    Duration gap = Duration.ofNanos(again - failedAt);
    Duration bound = Duration.ofMillis(1_500).plus(fixture().lockResetPeriod());
    measured("retry-backoff", "second attempt %d ms after FAILED (backoff 1 s, bound %d ms)",
        gap.toMillis(), bound.toMillis());
    assertThat(gap).as("from FAILED to the second STARTED, retry backoff 1 s, bound %d ms; events:%n%s",
        bound.toMillis(), events.timeline(failedAt)).isLessThanOrEqualTo(bound);
    assertThat(gap).as("the backoff itself was kept").isGreaterThanOrEqualTo(Duration.ofMillis(800));
  }
}
