package io.polyworker.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.polyworker.BpmnError;
import io.polyworker.DeploymentResource;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerOptions;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.memory.InMemoryEngine;
import io.polyworker.testkit.memory.InMemoryJob;
import io.polyworker.worker.JobWorker;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The meters against the in-memory engine: counters equal what the engine recorded, timers see the
 * queue, gauges return to zero, and no meter carries a value of a process variable.
 */
class JobWorkerMetricsTest {
  private static final String SECRET_VALUE = "card-4111-1111";
  private final InMemoryEngine engine = InMemoryEngine.create();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final JobWorkerMetrics metrics = JobWorkerMetrics.create(registry, Tags.of("app", "shop"));

  @AfterEach
  void close() {
    engine.close();
  }

  private JobWorker worker(String topic, io.polyworker.JobHandler handler, SubscriptionOptions options) {
    return metrics.bindTo(JobWorker.builder(engine)
        .options(WorkerOptions.builder().workerId("w-metrics")
            .emptyPollBackoff(Duration.ofMillis(10), Duration.ofMillis(50)).listener(metrics).build())
        .subscribe(topic, handler, options)
        .build());
  }

  private String deploy(TestProcess p) {
    engine.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(Dialect.CAMUNDA)));
    return p.id();
  }

  private double count(String name, String... tags) {
    return registry.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private long timerCount(String name, String... tags) {
    return registry.find(name).tags(tags).timers().stream().mapToLong(t -> t.count()).sum();
  }

  private double gauge(String name, String topic) {
    return registry.get(name).tag("topic", topic).gauge().value();
  }

  @Test
  void countersEqualWhatTheEngineRecorded() {
    String topic = "charge";
    String key = deploy(TestProcess.named("metrics-outcomes").task("charge", topic)
        .catchError("charge", "DECLINED", "after-decline"));
    Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    int completes = 6;
    int declines = 3;
    int flaky = 2;
    for (int i = 0; i < completes; i++) {
      engine.processClient().startProcess(key, Map.of("kind", "ok", "card", SECRET_VALUE));
    }
    for (int i = 0; i < declines; i++) {
      engine.processClient().startProcess(key, Map.of("kind", "decline", "card", SECRET_VALUE));
    }
    for (int i = 0; i < flaky; i++) {
      engine.processClient().startProcess(key, Map.of("kind", "flaky", "card", SECRET_VALUE));
    }
    try (JobWorker worker = worker(topic, job -> {
      String kind = job.variables().get("kind", String.class);
      if ("decline".equals(kind)) {
        throw new BpmnError("DECLINED", "card declined");
      }
      if ("flaky".equals(kind) && failedOnce.add(job.processInstanceId())) {
        throw new IllegalStateException("first attempt fails");
      }
      return JobResult.complete(Map.of("charged", true));
    }, SubscriptionOptions.builder().maxConcurrentJobs(4).retryBackoff(Duration.ofMillis(50)).build())) {
      worker.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> engine.jobs().stream()
          .filter(j -> j.topic().equals(topic)).allMatch(j -> j.state() != InMemoryJob.State.ACTIVE));
      await().atMost(Duration.ofSeconds(5)).until(() -> count(JobWorkerMetrics.REPORTED, "topic", topic)
          == completes + declines + 2 * flaky);
    }
    List<InMemoryJob> jobs = engine.jobs().stream().filter(j -> j.topic().equals(topic)).toList();
    long engineCompleted = jobs.stream().filter(j -> j.state() == InMemoryJob.State.COMPLETED).count();
    long engineBpmn = jobs.stream().filter(j -> j.state() == InMemoryJob.State.BPMN_ERROR).count();
    assertThat(engineCompleted).isEqualTo(completes + flaky);
    assertThat(engineBpmn).isEqualTo(declines);

    String[] t = {"topic", topic, "engine", engine.id(), "worker", "w-metrics", "app", "shop"};
    assertThat(count(JobWorkerMetrics.REPORTED, concat(t, "outcome", "completed"))).isEqualTo(engineCompleted);
    assertThat(count(JobWorkerMetrics.REPORTED, concat(t, "outcome", "bpmn_error"))).isEqualTo(engineBpmn);
    assertThat(count(JobWorkerMetrics.REPORTED, concat(t, "outcome", "failed"))).isEqualTo(flaky);
    assertThat(count(JobWorkerMetrics.ACTIVATED, t)).isEqualTo(completes + declines + 2 * flaky);
    assertThat(count(JobWorkerMetrics.LOCK_LOST, t)).isZero();
    assertThat(count(JobWorkerMetrics.REPORT_FAILURES, t)).isZero();
    assertThat(timerCount(JobWorkerMetrics.HANDLER, concat(t, "outcome", "completed"))).isEqualTo(engineCompleted);
    assertThat(timerCount(JobWorkerMetrics.END_TO_END, t)).isEqualTo(completes + declines + 2 * flaky);
    assertThat(timerCount(JobWorkerMetrics.QUEUE, t)).isEqualTo(completes + declines + 2 * flaky);
    assertThat(timerCount(JobWorkerMetrics.FETCH, concat(t, "result", "jobs"))).isPositive();

    // No meter carries a variable value, a job id or an instance id: only the fixed tag words.
    Set<String> tagValues = new HashSet<>();
    for (Meter m : registry.getMeters()) {
      assertThat(m.getId().getName()).startsWith("polyworker.");
      m.getId().getTags().stream().map(Tag::getValue).forEach(tagValues::add);
    }
    assertThat(tagValues).doesNotContain(SECRET_VALUE, "ok", "decline", "flaky")
        .allMatch(v -> Set.of(topic, engine.id(), "w-metrics", "shop", "completed", "failed", "bpmn_error",
            "terminated", "jobs", "empty", "error").contains(v));
    jobs.forEach(j -> assertThat(tagValues).doesNotContain(j.id(), j.processInstanceId()));
  }

  @Test
  void queueTimeGrowsWhenJobsWaitForAThreadAndStaysSmallWhenIdle() {
    String busy = "busy";
    String busyKey = deploy(TestProcess.named("metrics-busy").task("t", busy));
    for (int i = 0; i < 4; i++) {
      engine.processClient().startProcess(busyKey, Map.of());
    }
    // Four slots but one thread: fetched jobs wait in the worker for it (a pull worker fetches only
    // for free slots, so without a smaller executor nothing would wait).
    java.util.concurrent.ExecutorService oneThread = java.util.concurrent.Executors.newSingleThreadExecutor();
    try (JobWorker worker = worker(busy, job -> {
      TimeUnit.MILLISECONDS.sleep(150); // the work itself: a slow handler on the only thread
      return JobResult.complete();
    }, SubscriptionOptions.builder().maxConcurrentJobs(4).executor(oneThread).build())) {
      worker.start();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> count(JobWorkerMetrics.REPORTED, "topic", busy) == 4);
    } finally {
      oneThread.shutdown();
    }
    assertThat(registry.get(JobWorkerMetrics.QUEUE).tag("topic", busy).timer().max(TimeUnit.MILLISECONDS))
        .isGreaterThanOrEqualTo(100);

    String idle = "idle";
    String idleKey = deploy(TestProcess.named("metrics-idle").task("t", idle));
    try (JobWorker worker = worker(idle, job -> JobResult.complete(),
        SubscriptionOptions.builder().maxConcurrentJobs(4).build())) {
      worker.start();
      engine.processClient().startProcess(idleKey, Map.of());
      await().atMost(Duration.ofSeconds(10))
          .until(() -> count(JobWorkerMetrics.REPORTED, "topic", idle) == 1);
    }
    assertThat(registry.get(JobWorkerMetrics.QUEUE).tag("topic", idle).timer().max(TimeUnit.MILLISECONDS))
        .isLessThan(100);
  }

  @Test
  void gaugesShowHeldSlotsAndReturnToZeroAfterClose() throws Exception {
    String topic = "held";
    String key = deploy(TestProcess.named("metrics-held").task("t", topic));
    for (int i = 0; i < 3; i++) {
      engine.processClient().startProcess(key, Map.of());
    }
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    JobWorker worker = worker(topic, job -> {
      release.await();
      return JobResult.complete();
    }, SubscriptionOptions.builder().maxConcurrentJobs(3).build());
    try {
      assertThat(gauge(JobWorkerMetrics.SLOTS_LIMIT, topic)).isEqualTo(3);
      worker.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> gauge(JobWorkerMetrics.SLOTS_USED, topic) == 3);
      assertThat(gauge(JobWorkerMetrics.WAITING, topic)).isZero(); // no stream: nothing is pushed
      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> count(JobWorkerMetrics.REPORTED, "topic", topic) == 3);
    } finally {
      release.countDown();
      worker.close();
    }
    assertThat(gauge(JobWorkerMetrics.SLOTS_USED, topic)).isZero();
    assertThat(gauge(JobWorkerMetrics.WAITING, topic)).isZero();
    assertThat(gauge(JobWorkerMetrics.FETCHES_OPEN, topic)).isZero();
  }

  @Test
  void aWorkerOverTwoEnginesTagsEveryMeterWithTheEngineItsJobCameFrom() {
    InMemoryEngine other = InMemoryEngine.builder().id("other").build();
    String topic = "both";
    TestProcess p = TestProcess.named("metrics-both").task("t", topic);
    for (InMemoryEngine e : java.util.List.of(engine, other)) {
      e.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(Dialect.CAMUNDA)));
      e.processClient().startProcess(p.id(), Map.of());
      e.processClient().startProcess(p.id(), Map.of());
    }
    JobWorker worker = metrics.bindTo(JobWorker.builder(java.util.List.of(engine, other))
        .options(WorkerOptions.builder().workerId("w-both")
            .emptyPollBackoff(Duration.ofMillis(10), Duration.ofMillis(50)).listener(metrics).build())
        .subscribe(topic, job -> JobResult.complete(), SubscriptionOptions.builder().maxConcurrentJobs(4).build())
        .build());
    try {
      worker.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> count(JobWorkerMetrics.REPORTED, "topic", topic) == 4);
      assertThat(count(JobWorkerMetrics.REPORTED, "topic", topic, "engine", engine.id())).isEqualTo(2);
      assertThat(count(JobWorkerMetrics.REPORTED, "topic", topic, "engine", "other")).isEqualTo(2);
      // One slot gauge per engine: each engine's limit is the shared one (no per-engine limit set).
      assertThat(registry.find(JobWorkerMetrics.SLOTS_LIMIT).tag("topic", topic).gauges())
          .extracting(g -> g.getId().getTag("engine")).containsExactlyInAnyOrder(engine.id(), "other");
    } finally {
      worker.close();
      other.close();
    }
  }

  private static String[] concat(String[] tags, String... more) {
    String[] all = new String[tags.length + more.length];
    System.arraycopy(tags, 0, all, 0, tags.length);
    System.arraycopy(more, 0, all, tags.length, more.length);
    return all;
  }
}
