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
import io.polyworker.testkit.memory.InMemoryEngine.Operation;
import io.polyworker.testkit.memory.InMemoryEngine;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared long poll on an engine that fetches several topics at once (the in-memory engine with
 * long polling, as Camunda 7): idle topics wait in one long poll, busy ones fetch on their own.
 */
class SharedLongPollTest extends RuntimeTestSupport {
  private static final int TOPICS = 20;

  @BeforeEach
  void longPollingEngine() {
    engine.close();
    engine = InMemoryEngine.builder().longPolling(true).build();
  }

  private JobWorker worker(List<String> topics, JobHandler handler, SubscriptionOptions options) {
    // close() waits for a long poll in flight until the drain timeout, then cancels it
    JobWorker.Builder b = JobWorker.builder(engine)
        .options(workerOptions().drainTimeout(Duration.ofMillis(500)).build());
    topics.forEach(t -> b.subscribe(t, handler, options));
    JobWorker worker = b.build();
    return worker.start();
  }

  private static List<String> topics(String prefix) {
    List<String> topics = new ArrayList<>();
    for (int i = 0; i < TOPICS; i++) {
      topics.add(unique(prefix));
    }
    return topics;
  }

  @Test
  void anIdleWorkerOverTwentyTopicsHoldsOneLongPoll() {
    List<String> topics = topics("idle");
    topics.forEach(this::deploy);
    JobWorker worker = worker(topics, job -> JobResult.complete(),
        SubscriptionOptions.builder().longPollTimeout(Duration.ofSeconds(1)).build());
    try {
      // Each topic long-polls on its own until a shared round covers it (at most one more poll).
      await().atMost(PATIENCE).until(() -> engine.fetchesInFlight() == 1);
      engine.resetCounts();
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
          .until(() -> engine.fetchesInFlight() <= 1);
      assertThat(engine.peakConcurrentFetches()).as("fetches open at once while idle").isEqualTo(1);
      // One request a second (the long poll's timeout), not twenty.
      assertThat(engine.calls(Operation.FETCH_AND_LOCK)).as("fetches in about 2 s idle").isBetween(1, 4);
      assertThat(worker.subscriptions()).allSatisfy(s -> assertThat(s.slotLimit()).isEqualTo(32));
    } finally {
      worker.close();
    }
  }

  @Test
  void aJobOnTheLastTopicWakesTheSharedPollAtOnce() {
    List<String> topics = topics("wake");
    topics.forEach(this::deploy);
    String last = topics.get(TOPICS - 1);
    String key = deploy(last);
    JobWorker worker = worker(topics, job -> JobResult.complete(),
        SubscriptionOptions.builder().longPollTimeout(Duration.ofSeconds(30)).build());
    try {
      await().atMost(Duration.ofSeconds(40)).until(() -> engine.fetchesInFlight() == 1);
      List<String> instances = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        long started = System.nanoTime();
        String instance = start(key);
        instances.add(instance);
        await().atMost(Duration.ofSeconds(3))
            .until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        // After each job the topic goes back to waiting in the shared poll.
        await().atMost(Duration.ofSeconds(40)).until(() -> engine.fetchesInFlight() == 1);
      }
      assertThat(eventsOf(WorkerEvent.Type.COMPLETED)).hasSize(3)
          .allSatisfy(e -> assertThat(e.topic()).isEqualTo(last));
    } finally {
      worker.close();
    }
  }

  @Test
  void aBusyTopicFetchesOnItsOwnWithinItsLimitWhileTheOthersStayCovered() {
    List<String> topics = topics("mixed");
    topics.forEach(this::deploy);
    String busy = topics.get(0);
    String quiet = topics.get(TOPICS - 1);
    String busyKey = deploy(busy);
    String quietKey = deploy(quiet);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    JobWorker worker = worker(topics, job -> {
      int now = running.incrementAndGet();
      peak.accumulateAndGet(now, Math::max);
      try {
        if (job.topic().equals(busy)) {
          Thread.sleep(5);
        }
        return JobResult.complete();
      } finally {
        running.decrementAndGet();
      }
    }, SubscriptionOptions.builder().maxConcurrentJobs(4).longPollTimeout(Duration.ofSeconds(30)).build());
    try {
      await().atMost(Duration.ofSeconds(40)).until(() -> engine.fetchesInFlight() == 1);
      List<String> backlog = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        backlog.add(start(busyKey));
      }
      String quietInstance = start(quietKey);
      await().atMost(Duration.ofSeconds(3))
          .until(() -> engine.instanceState(quietInstance) == InstanceState.COMPLETED);
      await().atMost(PATIENCE).until(() -> backlog.stream()
          .allMatch(i -> engine.instanceState(i) == InstanceState.COMPLETED));
      assertThat(peak.get()).as("handlers at once, two topics of 4 slots each").isLessThanOrEqualTo(8);
    } finally {
      worker.close();
    }
  }

  @Test
  void aRetryBackoffEndingWhileTheTopicIsParkedIsFetchedWhenItEnds() {
    List<String> topics = topics("retry");
    topics.forEach(this::deploy);
    String failing = topics.get(3);
    String key = deploy(failing);
    AtomicInteger calls = new AtomicInteger();
    JobWorker worker = worker(topics, job -> calls.incrementAndGet() == 1
            ? JobResult.fail("once", null, 2, Duration.ofSeconds(1)) : JobResult.complete(),
        SubscriptionOptions.builder().longPollTimeout(Duration.ofSeconds(30)).build());
    try {
      await().atMost(Duration.ofSeconds(40)).until(() -> engine.fetchesInFlight() == 1);
      String instance = start(key);
      await().atMost(PATIENCE).until(() -> calls.get() == 1);
      long failed = System.nanoTime();
      await().atMost(Duration.ofSeconds(5))
          .until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
      // The 1 s backoff, not the 30 s long poll.
      assertThat(Duration.ofNanos(System.nanoTime() - failed)).isLessThan(Duration.ofSeconds(3));
    } finally {
      worker.close();
    }
  }

  @Test
  void closeEndsTheSharedPollAndLeavesNoFetchNorThreadBehind() {
    List<String> topics = topics("close");
    topics.forEach(this::deploy);
    JobWorker worker = worker(topics, job -> JobResult.complete(),
        SubscriptionOptions.builder().longPollTimeout(Duration.ofSeconds(1)).build());
    await().atMost(PATIENCE).until(() -> engine.fetchesInFlight() == 1);
    worker.close();
    assertThat(engine.fetchesInFlight()).isZero();
    assertThat(Thread.getAllStackTraces().keySet()).noneSatisfy(t ->
        assertThat(t.getName()).startsWith("polyworker-shared-poll"));
    assertThat(worker.subscriptions()).allSatisfy(s -> {
      assertThat(s.jobsHeld()).isZero();
      assertThat(s.fetchesOpen()).isZero();
    });
  }

  @Test
  void aSharedPollThatKeepsFailingFallsBackToEachTopicsOwnLongPollWithinTheErrorBackoff() throws Exception {
    List<String> topics = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      topics.add(unique("fallback"));
      deploy(topics.get(i));
    }
    String key = deploy(topics.get(0));
    EngineClient real = engine.jobClient();
    AtomicInteger singles = new AtomicInteger();
    AtomicInteger shared = new AtomicInteger();
    // An engine whose multi-topic fetch always fails while single-topic fetches work.
    EngineClient client = (EngineClient) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {EngineClient.class}, (proxy, method, args) -> {
          if (method.getName().equals("fetchAndLock") && args[0] instanceof List) {
            shared.incrementAndGet();
            return CompletableFuture.failedFuture(new EngineUnavailableException(real.engineId(),
                "fetchAndLock", 503, null, "several topics refused (injected)", null));
          }
          if (method.getName().equals("fetchAndLock")) {
            singles.incrementAndGet();
          }
          return invoke(method, real, args);
        });
    Engine wrapped = (Engine) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Engine.class},
        (proxy, method, args) -> method.getName().equals("jobClient") ? client : invoke(method, engine, args));
    JobWorker.Builder b = JobWorker.builder(wrapped)
        .options(workerOptions().drainTimeout(Duration.ofMillis(500)).build());
    topics.forEach(t -> b.subscribe(t, job -> JobResult.complete(),
        SubscriptionOptions.builder().longPollTimeout(Duration.ofSeconds(1)).build()));
    try (JobWorker worker = b.build().start()) {
      await().atMost(PATIENCE).until(() -> shared.get() >= 2);
      int before = singles.get();
      long started = System.nanoTime();
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> singles.get() - before < 60);
      double seconds = (System.nanoTime() - started) / 1e9;
      // Each topic long-polls on its own between the shared attempts (error backoff 20..200 ms):
      // about two fetches a second each, where a loop of immediate fetches made hundreds.
      assertThat(singles.get() - before).as("single-topic fetches of 5 topics in %.1f s", seconds)
          .isLessThan(60);
      String instance = start(key);
      await().atMost(Duration.ofSeconds(3)).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
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
