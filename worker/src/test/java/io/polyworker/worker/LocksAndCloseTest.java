package io.polyworker.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.JobLockLostException;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.WorkerThreads;
import io.polyworker.testkit.memory.InMemoryEngine;
import io.polyworker.testkit.memory.InMemoryEngine.Operation;
import io.polyworker.testkit.memory.InMemoryJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Lock extension, lost locks, the concurrency limit and graceful close. */
class LocksAndCloseTest extends RuntimeTestSupport {

  @Test
  void longHandlersHaveTheirLocksExtended() {
    String topic = unique("t");
    String instance = start(deploy(topic));
    AtomicBoolean lostSeen = new AtomicBoolean();
    startWorker(topic, job -> {
      // Runs until the runtime extended the 1 s lock twice: longer than the lock itself.
      await().atMost(PATIENCE).until(() -> count(WorkerEvent.Type.LOCK_EXTENDED) >= 2);
      lostSeen.set(job.isLockLost());
      return JobResult.complete();
    }, SubscriptionOptions.builder().lockDuration(Duration.ofSeconds(1)).build());
    await().atMost(PATIENCE).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
    assertThat(engine.calls(Operation.EXTEND_LOCK)).isGreaterThanOrEqualTo(2);
    assertThat(lostSeen).isFalse();
    assertThat(count(WorkerEvent.Type.LOCK_LOST)).isZero();
  }

  @Test
  void aRefusedExtensionMarksTheLockLost() {
    String topic = unique("t");
    start(deploy(topic));
    engine.failNext(Operation.EXTEND_LOCK, 1, () -> new JobLockLostException(InMemoryEngine.ID,
        "extendLock", 400, null, "lock held by another worker", null));
    AtomicBoolean sawLost = new AtomicBoolean();
    startWorker(topic, job -> {
      await().atMost(PATIENCE).until(job::isLockLost);
      sawLost.set(true);
      return JobResult.complete();
    }, SubscriptionOptions.builder().lockDuration(Duration.ofSeconds(1)).build());
    await().atMost(PATIENCE).until(sawLost::get);
    assertThat(eventsOf(WorkerEvent.Type.LOCK_LOST)).anyMatch(e -> e.error() instanceof JobLockLostException);
  }

  @Test
  void theConcurrencyLimitHoldsUnderLoad() {
    String topic = unique("t");
    String key = deploy(topic);
    int jobs = 200;
    List<String> instances = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      instances.add(start(key));
    }
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    startWorker(topic, job -> {
      peak.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        Thread.sleep(ThreadLocalRandom.current().nextInt(4)); // simulated work
      } finally {
        running.decrementAndGet();
      }
      return JobResult.complete();
    }, SubscriptionOptions.builder().maxConcurrentJobs(8).maxJobsPerFetch(5).build());
    await().atMost(PATIENCE).until(() -> count(WorkerEvent.Type.COMPLETED) == jobs);
    assertThat(peak.get()).isBetween(2, 8);
    assertThat(instances).allMatch(i -> engine.instanceState(i) == InstanceState.COMPLETED);
    assertThat(eventsOf(WorkerEvent.Type.FETCHED)).allMatch(e -> e.count() <= 5);
    assertThat(engine.calls(Operation.COMPLETE)).isEqualTo(jobs);
  }

  @Test
  void closeDrainsRunningHandlersAndReleasesUnstartedJobs() throws Exception {
    String topic = unique("t");
    String key = deploy(topic);
    List<String> instances = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      instances.add(start(key));
    }
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    ExecutorService single = Executors.newSingleThreadExecutor();
    try {
      JobWorker worker = startWorker(topic, job -> {
        running.countDown();
        proceed.await();
        return JobResult.complete();
      }, SubscriptionOptions.builder().maxConcurrentJobs(3).executor(single).build());
      await().atMost(PATIENCE).until(() -> running.getCount() == 0
          && engine.jobs().stream().filter(j -> j.lockOwner() != null).count() == 3);
      Thread closer = new Thread(worker::close);
      closer.start();
      await().atMost(PATIENCE).until(() -> !worker.isRunning());
      proceed.countDown();
      closer.join(PATIENCE.toMillis());
      assertThat(closer.isAlive()).isFalse();
    } finally {
      proceed.countDown();
      single.shutdownNow();
    }
    assertThat(count(WorkerEvent.Type.COMPLETED)).isEqualTo(1);
    assertThat(count(WorkerEvent.Type.RELEASED)).isEqualTo(2);
    assertThat(engine.calls(Operation.FAIL)).isZero();
    assertThat(instances.stream().filter(i -> engine.instanceState(i) == InstanceState.COMPLETED)).hasSize(1);
    assertThat(engine.jobs()).filteredOn(j -> j.state() == InMemoryJob.State.ACTIVE)
        .hasSize(2).allMatch(j -> j.lockOwner() == null && j.retries() == null);
  }

  @Test
  void closeInterruptsHandlersPastTheDrainDeadlineAndReleasesTheirJobs() throws Exception {
    String topic = unique("t");
    String instance = start(deploy(topic));
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    JobWorker worker = startWorker(topic, job -> {
      started.countDown();
      try {
        new CountDownLatch(1).await(); // never counted down: only an interrupt ends it
      } catch (InterruptedException e) {
        interrupted.set(true);
        throw e;
      }
      return JobResult.complete();
    }, SubscriptionOptions.defaults(), workerOptions().drainTimeout(Duration.ofMillis(200)).build());
    assertThat(started.await(PATIENCE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();
    long t0 = System.nanoTime();
    worker.close();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(worker.awaitTermination(Duration.ZERO)).isTrue();
    assertThat(interrupted).isTrue();
    InMemoryJob job = engine.jobs().stream().filter(j -> j.processInstanceId().equals(instance))
        .findFirst().orElseThrow();
    assertThat(job.lockOwner()).isNull();
    assertThat(job.retries()).isNull();
    assertThat(engine.calls(Operation.FAIL)).isZero();
    assertThat(count(WorkerEvent.Type.RELEASED)).isEqualTo(1);
    assertThat(count(WorkerEvent.Type.FAILED)).isZero();
  }

  @Test
  void noPolyworkerThreadOutlivesClose() {
    String topic = unique("threads");
    String key = deploy(topic);
    // Every polyworker-* thread, virtual ones and the lock extenders included, not only the topic's.
    WorkerThreads before = WorkerThreads.snapshot();
    JobWorker worker = startWorker(topic, job -> JobResult.complete(), SubscriptionOptions.builder()
        .lockDuration(Duration.ofSeconds(1)).build());
    String instance = start(key);
    await().atMost(PATIENCE).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
    assertThat(before.newThreads()).isNotEmpty();
    worker.close();
    before.awaitNoNewThreads(PATIENCE);
  }

  @Test
  void closeWithoutJobsIsQuickAndIdempotent() {
    JobWorker worker = startWorker(unique("t"), job -> JobResult.complete(Map.of()), SubscriptionOptions.defaults());
    awaitEvents(WorkerEvent.Type.POLL_EMPTY, 1);
    long t0 = System.nanoTime();
    worker.close();
    worker.close();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    assertThat(worker.isRunning()).isFalse();
  }
}
