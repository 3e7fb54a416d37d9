package io.polyworker.reliability;

import static io.polyworker.WorkerEvent.Type.ALREADY_COMPLETED;
import static io.polyworker.WorkerEvent.Type.COMPLETED;
import static io.polyworker.WorkerEvent.Type.FETCHED;
import static io.polyworker.WorkerEvent.Type.LOCK_LOST;
import static io.polyworker.WorkerEvent.Type.POLL_ERROR;
import static io.polyworker.WorkerEvent.Type.REPORT_FAILED;
import static io.polyworker.WorkerEvent.Type.REPORT_RETRIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.engine.Engine;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.EventRecorder;
import io.polyworker.reliability.support.Measured;
import io.polyworker.reliability.support.Outcome;
import io.polyworker.testkit.engines.FaultProxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The engine goes away for more than ten seconds while jobs are in flight, then comes back on the
 * same address. The worker must back off while it is down (a bounded request rate, measured from
 * its POLL_ERROR events and at the proxy in front of the engine), reconnect by itself, and every job
 * must end completed exactly once in the engine's own records: none lost, none stuck, none
 * completed twice.
 */
abstract class EngineDownContract {
  static final int JOBS = 300;
  static final Duration OUTAGE = Duration.ofSeconds(10);

  protected abstract EngineUnderTest target();

  @Test
  @DisplayName("engine down 10+ s with jobs in flight: bounded polling, reconnects, every job completed exactly once")
  void engineDownWhileJobsInFlight() throws Exception {
    EngineUnderTest t = target();
    String key = EngineUnderTest.unique("down");
    String topic = EngineUnderTest.unique("down_t");
    EventRecorder events = new EventRecorder();
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    JobHandler handler = job -> {
      runs.computeIfAbsent(job.processInstanceId(), k -> new AtomicInteger()).incrementAndGet();
      TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextInt(10, 40)); // the handler's work
      return JobResult.complete(Map.of("handledJob", job.id()));
    };
    try (FaultProxy proxy = FaultProxy.to(t.port()); Engine admin = t.connect(); Engine engine = t.connect(proxy.port())) {
      t.deploySingleTask(admin, key, topic);
      long startStarted = System.nanoTime();
      List<String> instances = t.startInstances(admin, key, JOBS, i -> Map.of("n", i), 4);
      double startSeconds = (System.nanoTime() - startStarted) / 1e9;
      JobWorker worker = JobWorker.builder(engine).workerId("down-worker").listener(events)
          .subscribe(topic, handler, SubscriptionOptions.builder().maxConcurrentJobs(8)
              .lockDuration(Duration.ofSeconds(40)).longPollTimeout(Duration.ofSeconds(2)).build())
          .build().start();
      // A second worker with nothing to do, through the same proxy: its fetches alone show the
      // poll backoff (the busy worker stops fetching once every slot holds a result to report).
      EventRecorder idle = new EventRecorder();
      JobWorker idleWorker = JobWorker.builder(engine).workerId("idle-worker").listener(idle)
          .subscribe(EngineUnderTest.unique("idle_t"), job -> JobResult.complete(),
              SubscriptionOptions.builder().longPollTimeout(Duration.ofSeconds(2)).build())
          .build().start();
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> events.count(COMPLETED) >= 50);

        long completedBefore = events.count(COMPLETED);
        long downAt = System.nanoTime();
        long connectionsBefore = proxy.acceptedConnections();
        t.beginOutage(proxy);
        Thread poller = pollerThread(topic);
        // Down for OUTAGE: the worker stays up and its poller thread alive the whole time.
        await().during(OUTAGE).atMost(OUTAGE.plusSeconds(5))
            .until(() -> worker.isRunning() && poller.isAlive());
        long restartAt = System.nanoTime();
        t.endOutage(proxy);
        long upAt = System.nanoTime();
        long connectionsWhileDown = proxy.acceptedConnections() - connectionsBefore;

        await().atMost(Duration.ofSeconds(90)).pollInterval(t.progressPollInterval())
            .until(() -> t.progress(key, topic).completedInstances() >= JOBS);
        long doneAt = System.nanoTime();
        // The engine may show the last completion before the worker's (retried) report call returns.
        await().atMost(Duration.ofSeconds(30))
            .until(() -> events.count(COMPLETED) + events.count(ALREADY_COMPLETED) + events.count(REPORT_FAILED) >= JOBS);

        // Measure first, then assert, so a failing run still reports its figures.
        Map<String, Outcome> ledger = t.ledger(key);
        List<Outcome> notOnce = ledger.values().stream()
            .filter(o -> !(o.state().equals("COMPLETED") || o.state().equals(EngineUnderTest.COMPLETING))
                || o.completions() != 1).collect(Collectors.toList());
        long completing = ledger.values().stream().filter(o -> o.state().equals(EngineUnderTest.COMPLETING)).count();
        int handlerRuns = runs.values().stream().mapToInt(AtomicInteger::get).sum();
        int duplicates = handlerRuns - runs.size();
        double downSeconds = (upAt - downAt) / 1e9;
        List<EventRecorder.Timed> pollErrors = events.between(POLL_ERROR, downAt, upAt);
        List<EventRecorder.Timed> reportRetries = events.between(REPORT_RETRIED, downAt, upAt);
        // Steady state: the last 8 s of the outage, when every backoff has grown.
        long steadyFrom = upAt - TimeUnit.SECONDS.toNanos(8);
        int steadyRequests = events.between(POLL_ERROR, steadyFrom, upAt).size()
            + events.between(REPORT_RETRIED, steadyFrom, upAt).size();
        double requestsPerSecond = (pollErrors.size() + reportRetries.size()) / downSeconds;
        List<EventRecorder.Timed> idleErrors = idle.between(POLL_ERROR, downAt, upAt);
        long idleMaxGap = 0;
        for (int i = 1; i < idleErrors.size(); i++) {
          idleMaxGap = Math.max(idleMaxGap, (idleErrors.get(i).nanos() - idleErrors.get(i - 1).nanos()) / 1_000_000);
        }
        EventRecorder.Timed idleBack = idle.firstAfter(io.polyworker.WorkerEvent.Type.POLL_EMPTY, upAt);
        EventRecorder.Timed firstFetch = events.firstAfter(FETCHED, upAt);
        EventRecorder.Timed firstCompletion = events.firstAfter(COMPLETED, upAt);
        Measured.report("engine-down/" + t.id(),
            "%s; %d jobs (%d instances started in %.1f s), %d completed before the outage; outage %.1f s "
                + "(%.1f s held + %.1f s to come back); while down: %d failed fetches + %d report retries = %.2f requests/s "
                + "(%.2f/s over the last 8 s), %d TCP connections at the proxy = %.2f/s; an idle worker failed "
                + "%d fetches (%.2f/s, longest gap %d ms) and fetched again %s ms after the engine was back; "
                + "first completion %s ms, first fetch %s ms after the engine was back; all done %.1f s after; "
                + "engine ledger: %d/%d completed exactly once (%d of them still being carried out by the engine); handler duplicates %d; "
                + "ALREADY_COMPLETED %d (results the engine took just before the crash)",
            t.outageKind(), JOBS, JOBS, startSeconds, completedBefore, downSeconds, (restartAt - downAt) / 1e9,
            (upAt - restartAt) / 1e9, pollErrors.size(), reportRetries.size(), requestsPerSecond,
            steadyRequests / 8.0, connectionsWhileDown, connectionsWhileDown / downSeconds,
            idleErrors.size(), idleErrors.size() / downSeconds, idleMaxGap,
            idleBack == null ? "-" : String.valueOf((idleBack.nanos() - upAt) / 1_000_000),
            firstCompletion == null ? "-" : String.valueOf((firstCompletion.nanos() - upAt) / 1_000_000),
            firstFetch == null ? "-" : String.valueOf((firstFetch.nanos() - upAt) / 1_000_000),
            (doneAt - upAt) / 1e9, ledger.size() - notOnce.size(), JOBS, completing, duplicates, events.count(ALREADY_COMPLETED));

        // The engine's own records: every instance completed, each task completed exactly once.
        assertThat(ledger.keySet()).containsExactlyInAnyOrderElementsOf(instances);
        assertThat(notOnce).as("instances not completed exactly once").isEmpty();
        // The worker's view: every job reported once; no duplicates (no lock expired).
        assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(instances);
        assertThat(duplicates).as("handler runs beyond one per job").isZero();
        assertThat(events.count(COMPLETED) + events.count(ALREADY_COMPLETED)).isEqualTo(JOBS);
        assertThat(events.count(REPORT_FAILED)).isZero();
        assertThat(events.count(LOCK_LOST)).isZero();
        // Bounded requests while down: fetches back off 100 ms -> 10 s, reports 100 ms -> 5 s, and a
        // full worker (every slot waiting to report) does not fetch at all. At most 8 jobs in flight.
        assertThat(pollErrors.size() + reportRetries.size()).as("the worker noticed the outage").isPositive();
        assertThat(steadyRequests / 8.0).as("requests per second at the end of the outage").isLessThan(4.0);
        assertThat(requestsPerSecond).as("requests per second while down").isLessThan(8.0);
        // The idle worker: fetches back off exponentially, 100 ms doubling to the 10 s cap (with jitter).
        assertThat(idleErrors).as("the idle worker noticed the outage").isNotEmpty();
        assertThat(idleErrors.size()).as("failed fetches of the idle worker while down").isLessThanOrEqualTo(
            (int) Math.ceil(downSeconds / 10) + 8);
        assertThat(idleMaxGap).as("its backoff grew to seconds").isGreaterThanOrEqualTo(2_000);
      } finally {
        worker.close();
        idleWorker.close();
      }
    }
  }

  static Thread pollerThread(String topic) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(th -> th.getName().equals("polyworker-poller-" + topic)).findFirst()
        .orElseThrow(() -> new AssertionError("no poller thread for " + topic));
  }
}
