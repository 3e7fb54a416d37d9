package io.polyworker.reliability;

import static io.polyworker.WorkerEvent.Type.ALREADY_COMPLETED;
import static io.polyworker.WorkerEvent.Type.COMPLETED;
import static io.polyworker.WorkerEvent.Type.LOCK_LOST;
import static io.polyworker.WorkerEvent.Type.REPORT_FAILED;
import static io.polyworker.WorkerEvent.Type.REPORT_RETRIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.polyworker.JobHandler;
import io.polyworker.JobLockLostException;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.Gate;
import io.polyworker.reliability.support.Measured;
import io.polyworker.reliability.support.Outcome;
import io.polyworker.reliability.support.UncaughtExceptions;
import io.polyworker.spi.Capability;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.engines.FaultProxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A handler finished, and reporting its result goes wrong. Transient trouble (the request reset
 * before the engine saw it, the engine unreachable for seconds, the answer lost or stalled after the
 * engine acted) must be retried until the engine has exactly one completion. Permanent trouble (the
 * job deleted with its instance, the lock taken by another worker) must end in one
 * ALREADY_COMPLETED or LOCK_LOST event after a single attempt: no retry storm, no exception escaping.
 * The proxy counts the report requests ({@code /complete }) that really left the worker.
 */
abstract class ReportFaultsContract {
  private static final String COMPLETE = "/complete ";
  private final UncaughtExceptions uncaught = new UncaughtExceptions();

  protected abstract EngineUnderTest target();

  @BeforeEach
  void watchThreads() {
    uncaught.install();
  }

  @AfterEach
  void noExceptionEscaped() {
    assertThat(uncaught.uninstall()).as("exceptions that escaped a thread").isEmpty();
  }

  private static SubscriptionOptions options() {
    return SubscriptionOptions.builder().maxConcurrentJobs(4).longPollTimeout(Duration.ofSeconds(1)).build();
  }

  private void requireHttp() {
    assumeTrue(target().speaksHttp(), target().id() + " speaks gRPC (HTTP/2): the proxy cannot pick single requests by URL");
  }

  @Test
  @DisplayName("complete requests reset before reaching the engine are retried; the engine completes once")
  void resetBeforeTheEngineSawIt() {
    requireHttp();
    try (Scenario s = new Scenario(target(), "rst")) {
      String instance = s.startOne();
      s.proxy.count(COMPLETE);
      s.proxy.resetRequestsContaining(COMPLETE, 3);
      AtomicInteger runs = new AtomicInteger();
      s.worker("w-rst", job -> {
        runs.incrementAndGet();
        return JobResult.complete(Map.of("ok", true));
      }, options());
      await().atMost(Duration.ofSeconds(30)).until(() -> s.events.count(COMPLETED) == 1);

      Outcome o = s.awaitOutcome(instance, "COMPLETED");
      Measured.report("report-reset-before/" + s.target.id(),
          "3 complete requests reset before the engine: %d complete requests sent, %d REPORT_RETRIED events, "
              + "engine completions %d, handler runs %d", s.proxy.counted(COMPLETE), s.events.count(REPORT_RETRIED),
          o.completions(), runs.get());
      assertThat(o.state()).isEqualTo("COMPLETED");
      assertThat(o.completions()).isEqualTo(1);
      assertThat(runs.get()).isEqualTo(1);
      assertThat(s.proxy.counted(COMPLETE)).isEqualTo(4);
      // OkHttp may retry a reset request once by itself on a fresh connection before the runtime sees it.
      assertThat(s.events.count(REPORT_RETRIED)).isBetween(1L, 3L);
      assertThat(s.events.count(REPORT_FAILED)).isZero();
    }
  }

  @Test
  @DisplayName("engine unreachable for seconds while a result waits: retried with backoff, completed once after")
  void engineUnreachableWhileReporting() throws Exception {
    try (Scenario s = new Scenario(target(), "refuse")) {
      String instance = s.startOne();
      Gate gate = new Gate();
      s.worker("w-refuse", job -> {
        gate.pass();
        return JobResult.complete(Map.of("ok", true));
      }, options());
      gate.awaitEntered();
      s.proxy.refuseConnections(FaultProxy.Refusal.CLOSE_PORT);
      s.proxy.cutConnections();
      long refusedAt = System.nanoTime();
      gate.open();
      // Refused for 3 s: the result cannot get through, the worker keeps trying and stays up.
      try {
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
            .until(() -> s.events.count(COMPLETED) == 0 && s.events.count(REPORT_FAILED) == 0);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("a result got through the refusal or was given up: " + s.events.summary()
            + "; " + s.proxy + ", accepted " + s.proxy.acceptedConnections() + "; errors "
            + s.events.of(REPORT_RETRIED).stream().map(ev -> String.valueOf(ev.error())).toList()
            + " " + s.events.of(REPORT_FAILED).stream().map(ev -> String.valueOf(ev.error())).toList(), e);
      }
      long retriesWhileDown = s.events.count(REPORT_RETRIED);
      double downSeconds = (System.nanoTime() - refusedAt) / 1e9;
      long healedAt = System.nanoTime();
      s.proxy.heal();
      await().atMost(Duration.ofSeconds(30)).until(() -> s.events.count(COMPLETED) == 1);
      long completedAfterMillis = (System.nanoTime() - healedAt) / 1_000_000;

      Outcome o = s.awaitOutcome(instance, "COMPLETED");
      Measured.report("report-refused/" + s.target.id(),
          "engine refused connections for %.1f s while one result waited: %d report retries (backoff 100 ms doubling), "
              + "completed %d ms after the engine was reachable again; engine completions %d",
          downSeconds, retriesWhileDown, completedAfterMillis, o.completions());
      assertThat(o.completions()).isEqualTo(1);
      assertThat(o.state()).isEqualTo("COMPLETED");
      assertThat(retriesWhileDown).as("retried, but with backoff (100 ms doubling to 5 s)").isBetween(2L, 10L);
      assertThat(s.events.count(REPORT_FAILED)).isZero();
      assertThat(completedAfterMillis).as("the next retry comes within the report backoff cap of 5 s")
          .isLessThan(8_000);
    }
  }

  @Test
  @DisplayName("the engine completed but the answer was lost: the retry finds the job done, exactly one completion")
  void answerLostAfterTheEngineActed() {
    requireHttp();
    try (Scenario s = new Scenario(target(), "lost")) {
      String instance = s.startOne();
      s.proxy.count(COMPLETE);
      s.proxy.resetResponsesTo(COMPLETE, 1);
      s.worker("w-lost", job -> JobResult.complete(Map.of("ok", true)), options());
      await().atMost(Duration.ofSeconds(30))
          .until(() -> s.events.count(COMPLETED) + s.events.count(ALREADY_COMPLETED) == 1);
      Outcome o = s.awaitOutcome(instance, "COMPLETED");
      Measured.report("report-answer-lost/" + s.target.id(),
          "answer to a complete lost after the engine acted: %d complete requests, events COMPLETED=%d "
              + "ALREADY_COMPLETED=%d REPORT_RETRIED=%d, engine completions %d", s.proxy.counted(COMPLETE),
          s.events.count(COMPLETED), s.events.count(ALREADY_COMPLETED), s.events.count(REPORT_RETRIED), o.completions());
      assertThat(o.completions()).isEqualTo(1);
      assertThat(s.events.count(ALREADY_COMPLETED)).as("the retry learns the job is done").isEqualTo(1);
      assertThat(s.proxy.counted(COMPLETE)).isEqualTo(2);
      assertThat(s.events.count(REPORT_FAILED)).isZero();
    }
  }

  @Test
  @DisplayName("the answer stalls mid-way: the request times out, the retry finds the job done, one completion")
  void answerStalls() throws Exception {
    requireHttp();
    try (Scenario s = new Scenario(target(), "stall", Duration.ofSeconds(2))) {
      String instance = s.startOne();
      Gate gate = new Gate();
      s.worker("w-stall", job -> {
        gate.pass();
        return JobResult.complete(Map.of("ok", true));
      }, options());
      gate.awaitEntered();
      s.proxy.count(COMPLETE);
      s.proxy.stallResponsesAfter(12); // "HTTP/1.1 204" and then nothing
      long stalledAt = System.nanoTime();
      gate.open();
      await().atMost(Duration.ofSeconds(20)).until(() -> s.events.count(REPORT_RETRIED) >= 1);
      long retryAfterMillis = (System.nanoTime() - stalledAt) / 1_000_000;
      s.proxy.heal();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> s.events.count(COMPLETED) + s.events.count(ALREADY_COMPLETED) == 1);

      Outcome o = s.awaitOutcome(instance, "COMPLETED");
      Measured.report("report-stalled/" + s.target.id(),
          "answer to a complete stalled after 12 bytes: first retry after %d ms (request timeout 2 s), "
              + "%d complete requests, events COMPLETED=%d ALREADY_COMPLETED=%d, engine completions %d",
          retryAfterMillis, s.proxy.counted(COMPLETE), s.events.count(COMPLETED), s.events.count(ALREADY_COMPLETED),
          o.completions());
      assertThat(o.completions()).isEqualTo(1);
      assertThat(retryAfterMillis).isGreaterThanOrEqualTo(1_900);
      assertThat(s.events.count(REPORT_FAILED)).isZero();
    }
  }

  @Test
  @DisplayName("the instance is cancelled while the handler runs: one attempt, ALREADY_COMPLETED, no retry")
  void jobDeletedWhileHandlerRuns() throws Exception {
    try (Scenario s = new Scenario(target(), "gone")) {
      String instance = s.startOne();
      Gate gate = new Gate();
      s.proxy.count(COMPLETE);
      JobWorker worker = s.worker("w-gone", job -> {
        gate.pass();
        return JobResult.complete(Map.of("ok", true));
      }, options());
      gate.awaitEntered();
      s.target.cancel(instance);
      gate.open();
      await().atMost(Duration.ofSeconds(30)).until(() -> s.events.count(ALREADY_COMPLETED) == 1);
      // No retry storm: nothing more happens with the job for a while.
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
          .until(() -> s.events.count(REPORT_RETRIED) == 0 && worker.isRunning());

      WorkerEvent event = s.events.of(ALREADY_COMPLETED).get(0);
      Outcome o = s.awaitOutcome(instance, "TERMINATED");
      Measured.report("report-job-deleted/" + s.target.id(),
          "instance cancelled while its handler ran: %s complete request(s), REPORT_RETRIED=%d, event ALREADY_COMPLETED (%s)",
          s.target.speaksHttp() ? String.valueOf(s.proxy.counted(COMPLETE)) : "n/a", s.events.count(REPORT_RETRIED),
          event.error());
      assertThat(o.state()).isEqualTo("TERMINATED");
      assertThat(o.completions()).isZero();
      assertThat(event.error()).isNotNull();
      assertThat(s.events.count(COMPLETED)).isZero();
      assertThat(s.events.count(REPORT_FAILED)).isZero();
      if (s.target.speaksHttp()) {
        assertThat(s.proxy.counted(COMPLETE)).isEqualTo(1);
      }
    }
  }

  @Test
  @DisplayName("another worker took the lock: one attempt, one LOCK_LOST, the other worker completes")
  void lockTakenByAnotherWorker() throws Exception {
    assumeTrue(target().has(Capability.LOCK_OWNERSHIP),
        target().id() + " does not check which worker holds a job");
    try (Scenario s = new Scenario(target(), "stolen")) {
      String instance = s.startOne();
      Gate gate = new Gate();
      s.proxy.count(COMPLETE);
      s.worker("w-first", job -> {
        gate.pass();
        return JobResult.complete(Map.of("by", "first"));
      }, SubscriptionOptions.builder().maxConcurrentJobs(1).lockDuration(Duration.ofSeconds(1))
          .lockExtension(false).longPollTimeout(Duration.ofSeconds(1)).build());
      gate.awaitEntered();
      // After the 1 s lock expires, a second worker fetches the job (directly, not through the proxy).
      FetchRequest steal = FetchRequest.of("w-second", s.topic, 1, Duration.ofSeconds(30));
      LockedJob[] stolen = new LockedJob[1];
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
        List<LockedJob> jobs = s.admin.jobClient().fetchAndLock(steal).get(10, TimeUnit.SECONDS);
        if (jobs.isEmpty()) {
          return false;
        }
        stolen[0] = jobs.get(0);
        return true;
      });
      long lostBefore = s.events.count(LOCK_LOST);
      gate.open();
      // The stale complete is sent once and refused; the lock counts as lost once, whoever noticed
      // first (the lock watch at expiry, or the engine's refusal carrying JobLockLostException).
      await().atMost(Duration.ofSeconds(30)).until(() -> s.proxy.counted(COMPLETE) == 1);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
          .until(() -> s.events.count(REPORT_RETRIED) == 0 && s.events.count(COMPLETED) == 0);
      assertThat(s.events.count(LOCK_LOST)).isEqualTo(1);
      if (lostBefore == 0) {
        assertThat(s.events.of(LOCK_LOST).get(0).error()).isInstanceOf(JobLockLostException.class);
      }
      s.admin.jobClient().complete(stolen[0], "w-second", Map.of("by", "second"), Map.of());
      Outcome o = s.awaitOutcome(instance, "COMPLETED");
      Measured.report("report-lock-taken/" + s.target.id(),
          "lock taken by another worker: %d complete request(s) from the first worker, LOCK_LOST events %d "
              + "(%d at lock expiry; at most one per lock), REPORT_RETRIED=%d; engine completions %d by %s",
          s.proxy.counted(COMPLETE), s.events.count(LOCK_LOST), lostBefore, s.events.count(REPORT_RETRIED),
          o.completions(), o.completedBy());
      assertThat(s.proxy.counted(COMPLETE)).isEqualTo(1);
      assertThat(s.events.count(COMPLETED)).isZero();
      assertThat(s.events.count(REPORT_FAILED)).isZero();
      assertThat(o.completions()).isEqualTo(1);
      if (!o.completedBy().isEmpty()) {
        assertThat(o.completedBy()).containsExactly("w-second");
      }
    }
  }
}
