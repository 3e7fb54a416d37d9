package io.polyworker.reliability;

import static io.polyworker.WorkerEvent.Type.COMPLETED;
import static io.polyworker.WorkerEvent.Type.FETCHED;
import static io.polyworker.WorkerEvent.Type.RELEASED;
import static io.polyworker.WorkerEvent.Type.REPORT_FAILED;
import static io.polyworker.WorkerEvent.Type.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.EventRecorder;
import io.polyworker.reliability.support.Measured;
import io.polyworker.reliability.support.Outcome;
import io.polyworker.spi.Capability;
import io.polyworker.testkit.common.WorkerThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} on a loaded worker: worker A holds 16 jobs, 4 running on its own 4-thread executor
 * and 12 fetched but queued behind them. Closing A must lose nothing: the 12 unstarted jobs go back to
 * the engine at once (before the running handlers end) and worker B runs them; the 4 running handlers
 * finish and report; each job is completed exactly once and no handler runs twice. And on engines with
 * long polling, a job created just after {@code close()} must not be locked by the closed worker's
 * long poll, which the engine may keep open after the client hung up.
 */
abstract class GracefulShutdownContract {
  static final int A_SLOTS = 16;
  static final int A_THREADS = 4;
  static final int JOBS = 24;
  static final Duration A_WORK = Duration.ofMillis(1_500);

  protected abstract EngineUnderTest target();

  /** Runs the scenario; returns the measurements. */
  Result closeLoadedWorker() throws Exception {
    ExecutorService aThreads = Executors.newFixedThreadPool(A_THREADS, r -> {
      Thread t = new Thread(r, "worker-a-handler");
      t.setDaemon(true);
      return t;
    });
    try (Scenario s = new Scenario(target(), "drain")) {
      List<String> instances = s.start(JOBS);
      EventRecorder a = new EventRecorder();
      EventRecorder b = new EventRecorder();
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      Set<String> ranOnA = ConcurrentHashMap.newKeySet();
      JobHandler slow = job -> {
        runs.computeIfAbsent(job.processInstanceId(), k -> new AtomicInteger()).incrementAndGet();
        ranOnA.add(job.processInstanceId());
        TimeUnit.MILLISECONDS.sleep(A_WORK.toMillis()); // the work
        return JobResult.complete(Map.of("by", "A"));
      };
      JobHandler quick = job -> {
        runs.computeIfAbsent(job.processInstanceId(), k -> new AtomicInteger()).incrementAndGet();
        return JobResult.complete(Map.of("by", "B"));
      };
      JobWorker workerA = s.worker("worker-A", slow, SubscriptionOptions.builder().maxConcurrentJobs(A_SLOTS)
          .executor(aThreads).lockDuration(Duration.ofSeconds(60)).build(), a);
      await().atMost(Duration.ofSeconds(30)).until(() -> fetched(a) == A_SLOTS && a.count(STARTED) == A_THREADS);
      s.worker("worker-B", quick, SubscriptionOptions.builder().maxConcurrentJobs(32)
          .longPollTimeout(Duration.ofSeconds(2)).build(), b);
      await().atMost(Duration.ofSeconds(30)).until(() -> b.count(COMPLETED) == JOBS - A_SLOTS);

      long closing = System.nanoTime();
      workerA.close();
      long closed = System.nanoTime();
      await().atMost(Duration.ofSeconds(60)).pollInterval(s.target.progressPollInterval())
          .until(() -> s.target.progress(s.key, s.topic).completedInstances() == JOBS);

      Map<String, Outcome> ledger = s.target.ledger(s.key);
      List<EventRecorder.Timed> released = a.between(RELEASED, closing, System.nanoTime());
      Result r = new Result();
      r.closeMillis = (closed - closing) / 1_000_000;
      r.released = released.size();
      r.firstReleaseMillis = released.isEmpty() ? -1 : (released.get(0).nanos() - closing) / 1_000_000;
      r.lastReleaseMillis = released.isEmpty() ? -1 : (released.get(released.size() - 1).nanos() - closing) / 1_000_000;
      long worstPickup = 0;
      for (EventRecorder.Timed rel : released) {
        // B may start a job before A's RELEASED event is out (Zeebe pushes it to B's stream at once).
        EventRecorder.Timed start = b.between(STARTED, closing, System.nanoTime()).stream()
            .filter(st -> rel.event().jobId().equals(st.event().jobId())).findFirst().orElse(null);
        worstPickup = Math.max(worstPickup,
            start == null ? Long.MAX_VALUE : Math.max(0, (start.nanos() - rel.nanos()) / 1_000_000));
      }
      r.worstPickupMillis = worstPickup;
      r.duplicates = runs.values().stream().mapToInt(AtomicInteger::get).sum() - runs.size();
      r.notOnce = ledger.values().stream().filter(o -> o.completions() != 1
              || !(o.state().equals("COMPLETED") || o.state().equals(EngineUnderTest.COMPLETING)))
          .map(Outcome::toString).collect(Collectors.toList());
      r.instances = instances.size();
      r.ledgerSize = ledger.size();
      r.completedByA = ledger.values().stream().filter(o -> o.completedBy().contains("worker-A")).count();
      r.engineRecordsWorkers = ledger.values().stream().anyMatch(o -> !o.completedBy().isEmpty());
      r.startedOnA = ranOnA.size();
      r.reportFailed = a.count(REPORT_FAILED) + b.count(REPORT_FAILED);
      r.completedEventsA = a.count(COMPLETED);
      List<EventRecorder.Timed> finishedOnA = a.between(COMPLETED, closing, System.nanoTime());
      r.firstCompletionOnAMillis = finishedOnA.isEmpty() ? -1 : (finishedOnA.get(0).nanos() - closing) / 1_000_000;
      Measured.report("graceful-close/" + s.target.id(),
          "worker A with %d slots on %d threads, handlers of %d ms: close() took %d ms; %d handlers finished "
              + "and reported by A (the first %d ms after close() began); %d unstarted jobs released, the first %d ms and the last %d ms after close() began; "
              + "worker B started each released job at most %d ms after its release; engine: %d/%d completed exactly once; "
              + "handler duplicates %d", A_SLOTS, A_THREADS, A_WORK.toMillis(), r.closeMillis, r.completedEventsA,
          r.firstCompletionOnAMillis, r.released, r.firstReleaseMillis, r.lastReleaseMillis, r.worstPickupMillis, JOBS - r.notOnce.size(), JOBS,
          r.duplicates);
      return r;
    } finally {
      aThreads.shutdownNow();
    }
  }

  private static long fetched(EventRecorder events) {
    return events.of(FETCHED).stream().mapToLong(WorkerEvent::count).sum();
  }

  /** Measurements of {@link #closeLoadedWorker()}. */
  static final class Result {
    long closeMillis;
    int released;
    long firstReleaseMillis;
    long lastReleaseMillis;
    long worstPickupMillis;
    int duplicates;
    List<String> notOnce = new ArrayList<>();
    int instances;
    int ledgerSize;
    long completedByA;
    int startedOnA;
    long reportFailed;
    long completedEventsA;
    long firstCompletionOnAMillis;
    boolean engineRecordsWorkers;
  }

  @Test
  @DisplayName("close() with jobs in flight loses none: unstarted ones go back at once and run on B, running ones finish on A")
  void closeLosesNothing() throws Exception {
    WorkerThreads before = WorkerThreads.snapshot();
    Result r = closeLoadedWorker();
    assertThat(r.ledgerSize).isEqualTo(JOBS);
    assertThat(r.notOnce).as("instances not completed exactly once").isEmpty();
    assertThat(r.duplicates).as("handlers run twice").isZero();
    assertThat(r.startedOnA).isEqualTo(A_THREADS);
    assertThat(r.completedEventsA).as("running handlers finished and reported by A").isEqualTo(A_THREADS);
    if (r.completedByA > 0 || r.engineRecordsWorkers) {
      assertThat(r.completedByA).as("the engine records A behind the running handlers' completions").isEqualTo(A_THREADS);
    }
    assertThat(r.released).as("unstarted jobs released").isEqualTo(A_SLOTS - A_THREADS);
    assertThat(r.lastReleaseMillis).as("every unstarted job released before the first running handler finished")
        .isLessThan(r.firstCompletionOnAMillis);
    assertThat(r.reportFailed).isZero();
    assertThat(r.closeMillis).as("close() waits for the running handlers only")
        .isLessThan(A_WORK.toMillis() + 5_000);
    assertThat(r.worstPickupMillis).as("B runs a released job as soon as it is released").isLessThan(3_000);
    // Both workers and their engine clients are closed: none of their threads (handler threads,
    // virtual on Java 21+, pollers, lock extenders, reporters) is left.
    before.awaitNoNewThreads(Duration.ofSeconds(10));
  }

  @Test
  @DisplayName("a job created right after close() is not locked by the closed worker's pending long poll")
  void noJobLockedByAClosedWorker() throws Exception {
    EngineUnderTest t = target();
    assumeTrue(t.has(Capability.LONG_POLLING), t.id() + " has no long polling");
    try (Scenario s = new Scenario(t, "orphan")) {
      JobWorker a = s.worker("worker-closed", job -> JobResult.complete(), SubscriptionOptions.builder()
          .lockDuration(Duration.ofSeconds(30)).longPollTimeout(Duration.ofSeconds(3)).build());
      // The worker's long poll is open at the engine (one connection through the proxy, no job to hand out).
      await().atMost(Duration.ofSeconds(10)).until(() -> s.proxy.openConnections() >= 1 && s.events.count(FETCHED) == 0);
      a.close();
      String instance = s.startOne();
      EventRecorder b = new EventRecorder();
      s.worker("worker-next", job -> JobResult.complete(), SubscriptionOptions.builder()
          .longPollTimeout(Duration.ofSeconds(2)).build(), b);
      long startedAt = System.nanoTime();
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
          .until(() -> "COMPLETED".equals(s.outcome(instance).state()));
      long millis = (System.nanoTime() - startedAt) / 1_000_000;
      Measured.report("close-orphan-long-poll/" + t.id(),
          "job created right after close(): completed by the next worker after %d ms (lock duration 30 s)", millis);
      assertThat(s.outcome(instance).completedBy()).containsExactly("worker-next");
      assertThat(millis).as("not held for the closed worker's lock duration").isLessThan(10_000);
    }
  }
}
