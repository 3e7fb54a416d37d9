package io.polyworker.reliability;

import static io.polyworker.WorkerEvent.Type.COMPLETED;
import static io.polyworker.WorkerEvent.Type.RELEASED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.engine.Engine;
import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.EventRecorder;
import io.polyworker.reliability.support.FlowableUnderTest;
import io.polyworker.reliability.support.Measured;
import io.polyworker.reliability.support.Outcome;
import io.polyworker.reliability.support.ZeebeUnderTest;
import io.polyworker.testkit.engines.FaultProxy;
import io.polyworker.worker.JobWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One worker over the three real local engines at once (issue 14), counted in each engine's own
 * records: every instance completed exactly once on its own engine, one slot limit across the
 * engines never exceeded, slots shared fairly while two engines have backlog, one engine cut off
 * without slowing the others, and close() under load losing nothing. Runs once, on the JDK 21+ of
 * production (the runtime's sharing is proven on both JDKs by the worker module's tests).
 */
class MultiEngineTest {
  private final EngineUnderTest camunda = new CamundaUnderTest();
  private final EngineUnderTest flowable = new FlowableUnderTest();
  private final EngineUnderTest zeebe = new ZeebeUnderTest();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private <T extends AutoCloseable> T keep(T closeable) {
    open.add(closeable);
    return closeable;
  }

  /** Counts handlers running at once, overall, and the runs and completions per engine and instance. */
  private static final class Gauge {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    final Map<String, AtomicInteger> done = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

    JobHandler handler(long millis) {
      return job -> {
        peak.accumulateAndGet(running.incrementAndGet(), Math::max);
        runs.computeIfAbsent(job.engine() + "/" + job.processInstanceId(), k -> new AtomicInteger())
            .incrementAndGet();
        try {
          if (millis > 0) {
            Thread.sleep(millis);
          }
        } finally {
          running.decrementAndGet();
        }
        done.computeIfAbsent(job.engine(), k -> new AtomicInteger()).incrementAndGet();
        return JobResult.complete(Map.of("servedBy", job.engine()));
      };
    }

    int done(String engine) {
      AtomicInteger n = done.get(engine);
      return n == null ? 0 : n.get();
    }

    int total() {
      return done.values().stream().mapToInt(AtomicInteger::get).sum();
    }
  }

  /** One engine's part of a run: a client, its process and its instances. */
  private record Part(EngineUnderTest target, Engine engine, String key, List<String> instances) {}

  private Part prepare(EngineUnderTest t, Engine engine, String topic, int instances) {
    String key = EngineUnderTest.unique("multi_" + t.id());
    try (Engine admin = t.connect()) {
      t.deploySingleTask(admin, key, topic);
      return new Part(t, engine, key, t.startInstances(admin, key, instances, i -> Map.of("n", i), 4));
    }
  }

  private static JobWorker worker(List<Part> parts, String topic, JobHandler handler, int slots,
      EventRecorder events) {
    return worker(parts, topic, handler, slots, events, Duration.ofSeconds(30));
  }

  private static JobWorker worker(List<Part> parts, String topic, JobHandler handler, int slots,
      EventRecorder events, Duration lockDuration) {
    return JobWorker.builder(parts.stream().map(Part::engine).toList()).workerId("multi").listener(events)
        .drainTimeout(Duration.ofSeconds(10))
        .subscribe(topic, handler, SubscriptionOptions.builder().maxConcurrentJobs(slots)
            .lockDuration(lockDuration).longPollTimeout(Duration.ofSeconds(2)).build())
        .build();
  }

  private static void awaitSettled(List<Part> parts, String topic, Duration atMost) {
    for (Part p : parts) {
      await().atMost(atMost).pollInterval(p.target().progressPollInterval())
          .until(() -> p.target().progress(p.key(), topic).completedInstances() >= p.instances().size());
    }
  }

  /**
   * What each engine's records say: instances not completed exactly once, or with more failures
   * than {@code failuresAllowed} (Zeebe's hand-back of a job is a FailJob with the same retries).
   */
  private static List<String> wrong(Part p, int failuresAllowed) {
    Map<String, Outcome> ledger = p.target().ledger(p.key());
    List<String> wrong = new ArrayList<>();
    for (String id : p.instances()) {
      Outcome o = ledger.get(id);
      boolean ok = o != null && o.completions() == 1 && o.failures() <= failuresAllowed
          && (o.state().equals("COMPLETED") || o.state().equals(EngineUnderTest.COMPLETING));
      if (!ok && wrong.size() < 10) {
        wrong.add(p.target().id() + " " + id + ": " + o);
      }
    }
    return wrong;
  }

  @Test
  @DisplayName("300 instances on Camunda 7, Flowable and Zeebe, one worker: each completed once on its own engine, the limit never exceeded")
  void threeEnginesOneWorker() {
    String topic = EngineUnderTest.unique("multi_t");
    Gauge gauge = new Gauge();
    EventRecorder events = new EventRecorder();
    List<Part> parts = new ArrayList<>();
    for (EngineUnderTest t : List.of(camunda, flowable, zeebe)) {
      parts.add(prepare(t, keep(t.connect()), topic, 100));
    }
    long started = System.nanoTime();
    keep(worker(parts, topic, gauge.handler(2), 24, events)).start();
    awaitSettled(parts, topic, Duration.ofSeconds(90));
    double seconds = (System.nanoTime() - started) / 1e9;

    List<String> wrong = new ArrayList<>();
    parts.forEach(p -> wrong.addAll(wrong(p, 0)));
    Map<String, Integer> completions = new LinkedHashMap<>();
    parts.forEach(p -> completions.put(p.target().id(), gauge.done(p.target().id())));
    Measured.report("multi-engine/three", "300 instances (100 per engine), one worker, 24 slots, 2 ms handlers:"
        + " settled in %.1f s; handler completions by engine %s; peak handlers at once %d; instances not"
        + " completed exactly once per the engines' records: %d", seconds, completions, gauge.peak.get(), wrong.size());
    assertThat(wrong).as("instances not completed exactly once on their own engine").isEmpty();
    assertThat(gauge.runs).hasSize(300);
    assertThat(gauge.runs.values()).allMatch(n -> n.get() == 1);
    assertThat(gauge.peak.get()).as("handlers at once across the engines").isBetween(2, 24);
    assertThat(events.of(COMPLETED)).extracting(e -> e.engine()).containsOnly("camunda", "flowable", "zeebe");
  }

  @Test
  @DisplayName("backlog on Camunda 7 and Zeebe: each engine gets at least 40 % of the completions")
  void fairShares() {
    String topic = EngineUnderTest.unique("fair_t");
    Gauge gauge = new Gauge();
    List<Part> parts = List.of(prepare(camunda, keep(camunda.connect()), topic, 200),
        prepare(zeebe, keep(zeebe.connect()), topic, 200));
    // Slots are shared equally; completions follow each engine's speed per slot, so the handlers take
    // 50 ms (the benchmarks' blocking handler) for the engines' own latency not to decide the split.
    keep(worker(parts, topic, gauge.handler(50), 16, new EventRecorder())).start();

    // While both have backlog: the first 200 completions (half of all).
    await().atMost(Duration.ofSeconds(60)).until(() -> gauge.total() >= 200);
    int c = gauge.done("camunda");
    int z = gauge.done("zeebe");
    Measured.report("multi-engine/fairness", "200 + 200 instances, 16 slots, 50 ms handlers: of the first %d"
        + " completions, Camunda %d (%.0f %%), Zeebe %d (%.0f %%)", c + z, c, 100.0 * c / (c + z), z,
        100.0 * z / (c + z));
    assertThat(c).as("Camunda's completions of %s", c + z).isGreaterThanOrEqualTo((c + z) * 40 / 100);
    assertThat(z).as("Zeebe's completions of %s", c + z).isGreaterThanOrEqualTo((c + z) * 40 / 100);
    awaitSettled(parts, topic, Duration.ofSeconds(90));
    parts.forEach(p -> assertThat(wrong(p, 0)).isEmpty());
  }

  @Test
  @DisplayName("Camunda 7 cut off mid-run: Flowable and Zeebe keep at least 80 % of their pace, Camunda's jobs finish after it returns")
  void oneEngineCutOff() {
    String topic = EngineUnderTest.unique("cut_t");
    Gauge gauge = new Gauge();
    FaultProxy proxy = keep(FaultProxy.to(camunda.port()));
    Part c = prepare(camunda, keep(camunda.connect(proxy.port(), Duration.ofSeconds(3))), topic, 100);
    Part f = prepare(flowable, keep(flowable.connect()), topic, 300);
    Part z = prepare(zeebe, keep(zeebe.connect()), topic, 300);
    List<Part> parts = List.of(c, f, z);
    // 6 slots of 50 ms handlers: at most 120 jobs/s, so the backlogs outlast both windows. Camunda
    // locks jobs for a long poll whose answer the cut loses (it keeps the poll after the client is
    // gone); they come back when their lock ends: 10 s here rather than the default 30 s.
    keep(worker(parts, topic, gauge.handler(50), 6, new EventRecorder(), Duration.ofSeconds(10))).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> gauge.done("camunda") >= 10);

    double before = othersRate(gauge, Duration.ofSeconds(2));
    proxy.refuseConnections(FaultProxy.Refusal.CLOSE_PORT);
    proxy.cutConnections();
    int camundaAtCut = gauge.done("camunda");
    double during = othersRate(gauge, Duration.ofSeconds(2));
    int camundaDuring = gauge.done("camunda") - camundaAtCut;
    int othersLeft = 600 - gauge.done("flowable") - gauge.done("zeebe");
    proxy.heal();
    awaitSettled(parts, topic, Duration.ofSeconds(120));

    Measured.report("multi-engine/cut", "Camunda 100, Flowable and Zeebe 300 instances each, 6 slots, 50 ms"
        + " handlers: Flowable + Zeebe completions/s %.0f before Camunda was cut, %.0f while it was (%.2fx);"
        + " Camunda completions while cut: %d (handlers that had already started); Flowable + Zeebe jobs"
        + " left when the cut ended: %d", before, during, during / before, camundaDuring, othersLeft);
    assertThat(othersLeft).as("the backlog outlasted the measurement").isPositive();
    assertThat(during).as("Flowable + Zeebe completions/s while Camunda is cut off, vs. %.0f before", before)
        .isGreaterThanOrEqualTo(0.8 * before);
    parts.forEach(p -> assertThat(wrong(p, 0)).as("exactly once on %s", p.target().id()).isEmpty());
  }

  private static Part z(List<Part> parts) {
    return parts.stream().filter(p -> p.target().id().equals("zeebe")).findFirst().orElseThrow();
  }

  /** Flowable + Zeebe handler completions per second over the next {@code window}. */
  private static double othersRate(Gauge gauge, Duration window) {
    int from = gauge.done("flowable") + gauge.done("zeebe");
    long start = System.nanoTime();
    long end = start + window.toNanos();
    await().pollDelay(window).atMost(window.plusSeconds(1)).until(() -> System.nanoTime() >= end);
    int to = gauge.done("flowable") + gauge.done("zeebe");
    return (to - from) / ((System.nanoTime() - start) / 1e9);
  }

  @Test
  @DisplayName("close() under load on three engines: unstarted jobs handed back on each, nothing lost")
  void closeUnderLoad() throws Exception {
    String topic = EngineUnderTest.unique("close_t");
    EventRecorder events = new EventRecorder();
    List<Part> parts = new ArrayList<>();
    for (EngineUnderTest t : List.of(camunda, flowable, zeebe)) {
      parts.add(prepare(t, keep(t.connect()), topic, 40));
    }
    // One handler thread for 12 slots, 4 per engine: while the first handler waits at the gate, the
    // worker holds 4 jobs of each engine and 11 of them wait for the thread, unstarted.
    ExecutorService oneThread = Executors.newSingleThreadExecutor();
    CountDownLatch gate = new CountDownLatch(1);
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    JobHandler gated = job -> {
      runs.computeIfAbsent(job.processInstanceId(), k -> new AtomicInteger()).incrementAndGet();
      gate.await(30, TimeUnit.SECONDS);
      return JobResult.complete(Map.of());
    };
    JobWorker first = JobWorker.builder(parts.stream().map(Part::engine).toList()).workerId("closing")
        .listener(events).drainTimeout(Duration.ofSeconds(10))
        .subscribe(topic, gated, SubscriptionOptions.builder().maxConcurrentJobs(12).maxConcurrentJobsPerEngine(4)
            .executor(oneThread).longPollTimeout(Duration.ofSeconds(2)).build())
        .build().start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> first.subscriptions().stream()
          .allMatch(s -> s.jobsHeld() == 4));
      long closing = System.nanoTime();
      CompletableFuture<Void> closed = CompletableFuture.runAsync(first::close);
      // close() hands back the 11 unstarted jobs at once, then waits for the running one.
      await().atMost(Duration.ofSeconds(10)).until(() -> events.count(RELEASED) >= 11);
      gate.countDown();
      closed.get(20, TimeUnit.SECONDS);
      double closeSeconds = (System.nanoTime() - closing) / 1e9;
      Map<String, Long> released = new LinkedHashMap<>();
      parts.forEach(p -> released.put(p.target().id(),
          events.of(RELEASED).stream().filter(e -> e.engine().equals(p.target().id())).count()));

      // The rest goes to a second worker at once: a job left locked would wait for its 30 s lock.
      Gauge gauge = new Gauge();
      long second = System.nanoTime();
      keep(worker(parts, topic, gauge.handler(1), 32, new EventRecorder())).start();
      awaitSettled(parts, topic, Duration.ofSeconds(25));
      Measured.report("multi-engine/close", "40 instances per engine, 12 slots (4 per engine), one handler thread:"
          + " close() took %.1f s; unstarted jobs handed back by engine %s; the second worker settled the rest"
          + " in %.1f s", closeSeconds, released, (System.nanoTime() - second) / 1e9);
      assertThat(released.values()).as("unstarted jobs handed back per engine %s", released).allMatch(n -> n >= 3);
      assertThat(events.count(RELEASED)).isEqualTo(11);
      // Zeebe hands a job back with a FailJob of the same retries: one failure record per released job.
      parts.forEach(p -> assertThat(wrong(p, p.target().id().equals("zeebe") ? 1 : 0))
          .as("exactly once on %s", p.target().id()).isEmpty());
      int zeebeFailures = z(parts).target().ledger(z(parts).key()).values().stream().mapToInt(Outcome::failures).sum();
      assertThat((long) zeebeFailures).as("Zeebe failure records, one per job handed back").isEqualTo(released.get("zeebe"));
      assertThat(runs.values()).as("the gated handler ran once").hasSize(1);
    } finally {
      gate.countDown();
      first.close();
      oneThread.shutdownNow();
    }
  }
}
