package io.polyworker.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.EngineUnavailableException;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.engine.Engine;
import io.polyworker.spi.EngineClient;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.memory.InMemoryEngine;
import io.polyworker.testkit.memory.InMemoryEngine.Operation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The shared idle polls on engines that neither long-poll nor fetch several topics at once: one
 * probe for all idle topics where the engine answers whether jobs wait (the in-memory engine with
 * jobProbe, as Flowable), and polls taken in turns where a job stream pushes new jobs (as Zeebe).
 * The test options' empty-poll backoff is 10 ms doubling to 100 ms: a tick is 100 ms.
 */
class IdlePollsTest extends RuntimeTestSupport {
  private static final int TOPICS = 20;

  private JobWorker worker(Engine on, List<String> topics, JobHandler handler) {
    JobWorker.Builder b = JobWorker.builder(on).options(workerOptions().build());
    topics.forEach(t -> b.subscribe(t, handler, SubscriptionOptions.builder().build()));
    return b.build().start();
  }

  private List<String> deployedTopics(String prefix) {
    List<String> topics = new ArrayList<>();
    for (int i = 0; i < TOPICS; i++) {
      topics.add(unique(prefix));
      deploy(topics.get(i));
    }
    return topics;
  }

  /** Until every topic's backoff has reached its longest delay (five empty polls each). */
  private void awaitAllIdle(List<String> topics) {
    await().atMost(PATIENCE).until(() -> topics.stream().allMatch(t -> events.stream()
        .filter(e -> e.type() == WorkerEvent.Type.POLL_EMPTY && t.equals(e.topic())).count() >= 5));
  }

  @Test
  void twentyIdleTopicsCostOneProbePerTickWhereTheEngineCanTellWhetherJobsWait() {
    engine.close();
    engine = InMemoryEngine.builder().jobProbe(true).build();
    List<String> topics = deployedTopics("probe");
    try (JobWorker worker = worker(engine, topics, job -> JobResult.complete())) {
      awaitAllIdle(topics);
      engine.resetCounts();
      long started = System.nanoTime();
      // On their own, 20 topics at 100 ms would fetch about 400 times in these 2 s.
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
          .until(() -> engine.calls(Operation.FETCH_AND_LOCK) <= 20);
      double seconds = (System.nanoTime() - started) / 1e9;
      assertThat(engine.calls(Operation.FETCH_AND_LOCK)).as("fetches of 20 idle topics in %.1f s", seconds)
          .isLessThanOrEqualTo(20);
      assertThat(engine.calls(Operation.JOBS_WAITING)).as("probes in %.1f s, one per 100 ms tick", seconds)
          .isBetween(10, (int) (seconds * 10) + 2);

      // A job on the last topic is found at the next tick: the probe says yes, each topic fetches once.
      String key = deploy(topics.get(TOPICS - 1));
      long created = System.nanoTime();
      String instance = start(key);
      await().atMost(Duration.ofSeconds(2)).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
      assertThat(Duration.ofNanos(System.nanoTime() - created)).isLessThan(Duration.ofSeconds(1));
    }
  }

  @Test
  void aProbeThatFailsLetsTheIdleTopicsPollEachTickAndProbesOnlyAfterTheErrorBackoff() {
    engine.close();
    engine = InMemoryEngine.builder().jobProbe(true).build();
    List<String> topics = deployedTopics("probefail");
    String key = deploy(topics.get(0));
    try (JobWorker worker = worker(engine, topics, job -> JobResult.complete())) {
      awaitAllIdle(topics);
      engine.failNext(Operation.JOBS_WAITING, 1_000, () -> InMemoryEngine.unavailable(Operation.JOBS_WAITING));
      engine.resetCounts();
      long started = System.nanoTime();
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
          .until(() -> engine.calls(Operation.FETCH_AND_LOCK) <= 20 * 25);
      double seconds = (System.nanoTime() - started) / 1e9;
      // Each topic fetches about once per tick (20 x 10/s), never in a loop of immediate fetches.
      assertThat(engine.calls(Operation.FETCH_AND_LOCK)).as("fetches in %.1f s", seconds)
          .isBetween(100, 20 * 25);
      // Probes wait for the poll error backoff (20 ms doubling to 200 ms) between attempts.
      assertThat(engine.calls(Operation.JOBS_WAITING)).as("probes in %.1f s", seconds)
          .isLessThanOrEqualTo((int) (seconds * 5) + 4);
      String instance = start(key);
      await().atMost(Duration.ofSeconds(2)).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
    }
  }

  @Test
  void aRetryBackoffThisWorkerSetWakesItsIdleTopicWhenItEnds() throws Exception {
    engine.close();
    engine = InMemoryEngine.builder().jobProbe(true).build();
    List<String> topics = deployedTopics("due");
    String failing = topics.get(7);
    String key = deploy(failing);
    // A probe that never sees a job: only the end of the backoff can bring the failed job back.
    EngineClient real = engine.jobClient();
    AtomicInteger probes = new AtomicInteger();
    EngineClient blind = (EngineClient) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {EngineClient.class}, (proxy, method, args) -> {
          if (method.getName().equals("jobsWaiting")) {
            probes.incrementAndGet();
            return false;
          }
          return invoke(method, real, args);
        });
    Engine wrapped = (Engine) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Engine.class},
        (proxy, method, args) -> method.getName().equals("jobClient") ? blind : invoke(method, engine, args));
    // Started before the worker: the failing topic's first fetch takes it, before it is idle.
    String instance = start(key);
    AtomicInteger runs = new AtomicInteger();
    List<Long> runAt = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (JobWorker worker = worker(wrapped, topics, job -> {
      runAt.add(System.nanoTime());
      return runs.incrementAndGet() == 1
          ? JobResult.fail("once", null, 2, Duration.ofMillis(1500)) : JobResult.complete();
    })) {
      await().atMost(PATIENCE).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
      assertThat(runAt).hasSize(2);
      Duration between = Duration.ofNanos(runAt.get(1) - runAt.get(0));
      assertThat(between).as("from the failure to the retry (backoff 1.5 s)")
          .isBetween(Duration.ofMillis(1500), Duration.ofMillis(2200));
      // In between, the topic backed off to its longest delay and then waited in the idle polls,
      // which the blind probe never woke: about five empty polls, not one per 100 ms.
      long emptiesInBetween = events.stream().filter(e -> e.type() == WorkerEvent.Type.POLL_EMPTY
          && failing.equals(e.topic())).count();
      assertThat(emptiesInBetween).as("empty polls of the failing topic").isLessThanOrEqualTo(12);
      assertThat(probes.get()).as("probes while it waited").isGreaterThan(5);
    }
  }

  @Test
  void idleTopicsWithOpenJobStreamsTakeTurnsTwoPollsPerTick() {
    PushingEngine pushing = new PushingEngine();
    List<String> topics = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      topics.add(unique("turns"));
    }
    try (JobWorker worker = worker(pushing, topics, job -> JobResult.complete())) {
      awaitAllIdle(topics);
      pushing.fetches.set(0);
      long started = System.nanoTime();
      // On their own, 10 topics at 100 ms would poll about 200 times in these 2 s.
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> pushing.fetches.get() <= 60);
      double seconds = (System.nanoTime() - started) / 1e9;
      assertThat(pushing.fetches.get()).as("polls of 10 idle streamed topics in %.1f s", seconds)
          .isBetween(20, 60);
      // New jobs still arrive at once, by push.
      pushing.create(5);
      await().atMost(Duration.ofSeconds(1)).until(() -> pushing.completedJobs() == 5);

      // Streams that are not connected do not cover new jobs: their topics poll every tick.
      // (10 topics x 10 polls/s: 120 polls take about 1.2 s; in turns they would take 6 s.)
      pushing.streamsConnected = false;
      pushing.fetches.set(0);
      await().atMost(Duration.ofSeconds(3)).until(() -> pushing.fetches.get() >= 120);
    }
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
