package io.polyworker.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.polyworker.DeploymentResource;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.memory.InMemoryEngine;
import io.polyworker.testkit.memory.InMemoryJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One worker over two in-memory engines standing for two real ones ("alpha", "beta"): every job on
 * its own engine, one slot limit across both, shared fairly, per-engine limits and choices, one
 * engine down without stalling the other. The real engines' versions of these contracts are in
 * examples' {@code MultiEngineWorkerTest}.
 */
class MultiEngineTest extends RuntimeTestSupport {
  private final InMemoryEngine alpha = InMemoryEngine.builder().id("alpha").longPolling(true).build();
  private final InMemoryEngine beta = InMemoryEngine.builder().id("beta").build();
  private final List<JobWorker> mine = new ArrayList<>();

  @AfterEach
  void closeEngines() {
    mine.forEach(JobWorker::close);
    alpha.close();
    beta.close();
  }

  /** Counts handlers running at once, overall and per engine, and completions per engine. */
  private static final class Gauge {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    final Map<String, AtomicInteger> runningOn = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> peakOn = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> done = new ConcurrentHashMap<>();
    /** Jobs seen per engine and job id: each once. */
    final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

    JobHandler handler(long millis) {
      return job -> {
        int now = running.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
        int on = runningOn.computeIfAbsent(job.engine(), k -> new AtomicInteger()).incrementAndGet();
        peakOn.computeIfAbsent(job.engine(), k -> new AtomicInteger()).accumulateAndGet(on, Math::max);
        runs.computeIfAbsent(job.engine() + "/" + job.id(), k -> new AtomicInteger()).incrementAndGet();
        try {
          Thread.sleep(millis);
        } finally {
          runningOn.get(job.engine()).decrementAndGet();
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

    int peakOn(String engine) {
      AtomicInteger n = peakOn.get(engine);
      return n == null ? 0 : n.get();
    }
  }

  private List<String> startInstances(InMemoryEngine on, String topic, int n) {
    TestProcess p = TestProcess.named(unique("p")).task("task", topic);
    on.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(Dialect.CAMUNDA)));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(on.processClient().startProcess(p.id(), Map.of()));
    }
    return ids;
  }

  /** Short long polls: close() waits for alpha's poll in flight. */
  private static SubscriptionOptions.Builder options() {
    return SubscriptionOptions.builder().longPollTimeout(Duration.ofSeconds(1));
  }

  private JobWorker start(String topic, JobHandler handler, SubscriptionOptions options) {
    JobWorker worker = JobWorker.builder(List.of(alpha, beta)).options(workerOptions().build())
        .subscribe(topic, handler, options).build();
    mine.add(worker);
    return worker.start();
  }

  private static void awaitCompleted(InMemoryEngine on, List<String> instances) {
    await().atMost(Duration.ofSeconds(30)).until(() -> instances.stream()
        .allMatch(id -> on.instanceState(id) == InstanceState.COMPLETED));
  }

  @Test
  void everyJobRunsOnceOnItsOwnEngineUnderOneSlotLimit() {
    String topic = unique("both");
    List<String> a = startInstances(alpha, topic, 60);
    List<String> b = startInstances(beta, topic, 60);
    Gauge gauge = new Gauge();
    start(topic, gauge.handler(5), options().maxConcurrentJobs(6).build());

    awaitCompleted(alpha, a);
    awaitCompleted(beta, b);
    assertThat(gauge.done("alpha")).isEqualTo(60);
    assertThat(gauge.done("beta")).isEqualTo(60);
    assertThat(gauge.runs.values()).allMatch(n -> n.get() == 1);
    assertThat(gauge.peak.get()).isLessThanOrEqualTo(6);
    assertThat(alpha.processVariables(a.get(0))).containsEntry("servedBy", "alpha");
    assertThat(beta.processVariables(b.get(0))).containsEntry("servedBy", "beta");
    assertThat(eventsOf(WorkerEvent.Type.COMPLETED)).extracting(WorkerEvent::engine)
        .containsOnly("alpha", "beta");
  }

  @Test
  void slotsAreSharedFairlyWhileBothEnginesHaveBacklog() {
    String topic = unique("fair");
    List<String> a = startInstances(alpha, topic, 200);
    List<String> b = startInstances(beta, topic, 200);
    Gauge gauge = new Gauge();
    start(topic, gauge.handler(10), options().maxConcurrentJobs(8).build());

    // Both engines have backlog until one of them runs dry: look at the completions until then.
    await().atMost(Duration.ofSeconds(30)).until(() -> gauge.done("alpha") + gauge.done("beta") >= 200);
    int fromAlpha = gauge.done("alpha");
    int fromBeta = gauge.done("beta");
    assertThat(fromAlpha).as("alpha's share of %s completions", fromAlpha + fromBeta)
        .isGreaterThanOrEqualTo((fromAlpha + fromBeta) * 40 / 100);
    assertThat(fromBeta).as("beta's share of %s completions", fromAlpha + fromBeta)
        .isGreaterThanOrEqualTo((fromAlpha + fromBeta) * 40 / 100);
    assertThat(gauge.peak.get()).isLessThanOrEqualTo(8);
    awaitCompleted(alpha, a);
    awaitCompleted(beta, b);
  }

  @Test
  void anIdleLongPollingEngineLeavesTheSlotsToTheBusyOne() {
    String topic = unique("idle");
    Gauge gauge = new Gauge();
    start(topic, gauge.handler(30), SubscriptionOptions.builder().maxConcurrentJobs(16).longPollTimeout(Duration.ofSeconds(3)).build());
    await().atMost(PATIENCE).until(() -> alpha.fetchesInFlight() > 0); // alpha's long poll waits
    List<String> b = startInstances(beta, topic, 150);

    // 150 jobs of 30 ms on 14 slots take about 0.3 s; on 2 slots (alpha's poll holding the rest
    // until its 10 s timeout) they would take 2.3 s at least.
    await().atMost(Duration.ofMillis(2_000)).until(() -> b.stream()
        .allMatch(id -> beta.instanceState(id) == InstanceState.COMPLETED));
    // alpha's idle long poll holds a quarter of its share (2 of 16); beta may borrow the rest.
    assertThat(gauge.peakOn("beta")).isGreaterThanOrEqualTo(12);
    assertThat(gauge.peak.get()).isLessThanOrEqualTo(16);
  }

  @Test
  void perEngineLimitBoundsEachEngine() {
    String topic = unique("per");
    List<String> a = startInstances(alpha, topic, 40);
    List<String> b = startInstances(beta, topic, 40);
    Gauge gauge = new Gauge();
    start(topic, gauge.handler(10), options().maxConcurrentJobs(10)
        .maxConcurrentJobsPerEngine(3).build());

    awaitCompleted(alpha, a);
    awaitCompleted(beta, b);
    assertThat(gauge.peakOn("alpha")).isBetween(1, 3);
    assertThat(gauge.peakOn("beta")).isBetween(1, 3);
  }

  @Test
  void aSubscriptionRunsOnlyOnTheEnginesItNames() {
    String topic = unique("only");
    List<String> a = startInstances(alpha, topic, 5);
    List<String> b = startInstances(beta, topic, 5);
    Gauge gauge = new Gauge();
    JobWorker worker = start(topic, gauge.handler(1), options().engines("beta").build());

    awaitCompleted(beta, b);
    assertThat(a).allMatch(id -> alpha.instanceState(id) == InstanceState.ACTIVE);
    assertThat(gauge.done("alpha")).isZero();
    assertThat(worker.subscriptions()).extracting(SubscriptionState::engine).containsExactly("beta");
  }

  @Test
  void oneEngineDownDoesNotStallTheOther() {
    String topic = unique("down");
    Gauge gauge = new Gauge();
    alpha.down(true);
    List<String> b = startInstances(beta, topic, 50);
    start(topic, gauge.handler(5), options().maxConcurrentJobs(4).build());

    awaitCompleted(beta, b);
    assertThat(count(WorkerEvent.Type.POLL_ERROR)).isPositive();
    alpha.down(false);
    List<String> a = startInstances(alpha, topic, 10);
    awaitCompleted(alpha, a);
  }

  @Test
  void everyLogLineNamesTheEngineItsJobOrFetchCameFrom() {
    String topic = unique("logs");
    alpha.down(true);
    String failing = startInstances(beta, topic, 1).get(0);
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      start(topic, job -> {
        throw new IllegalStateException("payment service down");
      }, options().defaultRetries(1).retryBackoff(Duration.ZERO).build());
      await().atMost(PATIENCE).until(() -> beta.hasIncident(failing)
          && captured.toString(StandardCharsets.UTF_8).contains("alpha topic " + topic + ": fetching failed"));
      alpha.down(false);
      await().atMost(PATIENCE).until(() -> captured.toString(StandardCharsets.UTF_8)
          .contains("alpha topic " + topic + ": fetching works again"));
    } finally {
      System.setErr(original);
    }
    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(topic)).toList();
    String jobId = beta.jobs().stream().filter(j -> j.processInstanceId().equals(failing)).findFirst()
        .orElseThrow().id();
    // The handler failure: on beta, where the job came from, in the "engine topic name: job id" form.
    assertThat(lines).filteredOn(l -> l.contains("payment service down")).singleElement().satisfies(l ->
        assertThat(l).contains("WARN").contains("beta topic " + topic + ": job " + jobId + " failed (no retries left"));
    // The fetch failure: on alpha, which is down; beta's fetches never failed.
    assertThat(lines).filteredOn(l -> l.contains("fetching failed")).singleElement().satisfies(l ->
        assertThat(l).contains("WARN").contains("alpha topic " + topic + ": fetching failed, backing off"));
    // Every runtime line about the subscription names its engine first.
    assertThat(lines).filteredOn(l -> l.contains("topic " + topic + ":"))
        .allSatisfy(l -> assertThat(l).containsAnyOf("alpha topic " + topic + ": ", "beta topic " + topic + ": "));
  }

  @Test
  void closeDrainsAndReleasesOnEveryEngine() {
    String topic = unique("close");
    List<String> a = startInstances(alpha, topic, 30);
    List<String> b = startInstances(beta, topic, 30);
    Gauge gauge = new Gauge();
    JobWorker worker = start(topic, gauge.handler(100), options().maxConcurrentJobs(6).build());
    await().atMost(PATIENCE).until(() -> gauge.done("alpha") > 0 && gauge.done("beta") > 0);

    worker.close();
    assertThat(alpha.jobs()).allMatch(j -> j.state() != InMemoryJob.State.ACTIVE || j.lockOwner() == null);
    assertThat(beta.jobs()).allMatch(j -> j.state() != InMemoryJob.State.ACTIVE || j.lockOwner() == null);
    // Nothing lost: what the closed worker did not finish, a second worker does.
    JobWorker second = start(topic, gauge.handler(1), options().build());
    awaitCompleted(alpha, a);
    awaitCompleted(beta, b);
    assertThat(gauge.runs.values()).allMatch(n -> n.get() == 1);
    second.close();
  }

  @Test
  void aSlotAnotherEngineFreesStartsAWaitingPushedJobAtOnce() {
    // alpha holds both slots with two gated jobs; a job pushed on the other engine meanwhile waits
    // for a slot. When alpha's jobs end, the push must start at once, not when the pushing engine's
    // own poller comes back from its 5 s empty-poll backoff.
    PushingEngine pushing = new PushingEngine();
    List<String> a = startInstances(alpha, "t", 2);
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    Map<String, Long> startedAt = new ConcurrentHashMap<>();
    JobWorker worker = JobWorker.builder(List.of(alpha, pushing))
        .options(workerOptions().emptyPollBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5)).build())
        .subscribe("t", job -> {
          startedAt.put(job.engine() + "/" + job.id(), System.nanoTime());
          if (job.engine().equals("alpha")) {
            gate.await();
          }
          return JobResult.complete(Map.of());
        }, options().maxConcurrentJobs(2).build())
        .build();
    mine.add(worker);
    worker.start();
    await().atMost(PATIENCE).until(() -> startedAt.size() == 2 && pushing.openStreams() == 1);
    pushing.create(1);
    await().atMost(PATIENCE).until(() -> worker.subscriptions().stream().anyMatch(st -> st.jobsWaiting() == 1));

    long opened = System.nanoTime();
    gate.countDown();
    await().atMost(PATIENCE).until(() -> pushing.completedJobs() == 1);
    long waited = startedAt.entrySet().stream().filter(e -> e.getKey().startsWith("pushing/"))
        .mapToLong(e -> e.getValue() - opened).findFirst().orElseThrow();
    assertThat(Duration.ofNanos(waited)).as("the pushed job's start after alpha's slots came back")
        .isLessThan(Duration.ofSeconds(1));
    awaitCompleted(alpha, a);
  }

  @Test
  void buildRefusesDuplicateEnginesAndUnknownEngineNames() {
    assertThatThrownBy(() -> JobWorker.builder(List.of(alpha, alpha)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two engines with the id 'alpha'");
    assertThatThrownBy(() -> JobWorker.builder(List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
    assertThatThrownBy(() -> JobWorker.builder(List.of(alpha, beta))
        .subscribe("t", job -> JobResult.complete(Map.of()), SubscriptionOptions.builder().engines("gamma").build())
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'gamma'").hasMessageContaining("[alpha, beta]");
  }
}
