package io.polyworker.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerEvent.Type;
import io.polyworker.WorkerListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What metrics and health checks read: event fields, the subscriptions' snapshot, listener chains. */
class ObservabilityTest extends RuntimeTestSupport {

  @Test
  void eventsNameTheWorkerAndCountTheTimeAJobSpentInIt() throws Exception {
    String topic = unique("observed");
    String key = deploy(topic);
    for (int i = 0; i < 3; i++) {
      start(key);
    }
    ExecutorService oneThread = Executors.newSingleThreadExecutor();
    try {
      JobWorker worker = startWorker(topic, job -> {
        TimeUnit.MILLISECONDS.sleep(100); // the work: jobs behind it wait for the only thread
        return JobResult.complete();
      }, SubscriptionOptions.builder().maxConcurrentJobs(3).executor(oneThread).build());
      awaitEvents(Type.COMPLETED, 3);
      assertThat(events).allSatisfy(e -> assertThat(e.workerId()).isEqualTo(worker.workerId()));
      List<WorkerEvent> started = eventsOf(Type.STARTED);
      assertThat(started).hasSize(3);
      assertThat(started.stream().mapToLong(e -> e.inWorker().toMillis()).max().orElseThrow())
          .as("the last of three jobs on one thread waited for two handlers").isGreaterThanOrEqualTo(150);
      for (WorkerEvent done : eventsOf(Type.COMPLETED)) {
        assertThat(done.inWorker()).as("end to end covers the handler").isGreaterThanOrEqualTo(done.duration());
      }
      assertThat(eventsOf(Type.FETCHED)).allSatisfy(e -> assertThat(e.inWorker()).isZero());
    } finally {
      oneThread.shutdown();
    }
  }

  @Test
  void aJobsTimeInTheWorkerNeverReadsShorterThanItsHandlersRun() throws Exception {
    // Sub-millisecond handlers: a time in the worker read off the wall clock (millisecond steps)
    // came out shorter than the handler's monotonic duration for most of these jobs.
    String topic = unique("clocks");
    String key = deploy(topic);
    int jobs = 20;
    for (int i = 0; i < jobs; i++) {
      start(key);
    }
    JobWorker worker = startWorker(topic, job -> {
      long until = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(300);
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      return JobResult.complete();
    }, SubscriptionOptions.builder().maxConcurrentJobs(2).build());
    try {
      awaitEvents(Type.COMPLETED, jobs);
      assertThat(eventsOf(Type.COMPLETED)).allSatisfy(done ->
          assertThat(done.inWorker()).as("time in the worker of job %s", done.jobId())
              .isGreaterThanOrEqualTo(done.duration()));
    } finally {
      worker.close();
    }
  }

  @Test
  void theSnapshotShowsHeldSlotsAndOpenFetchesAndIsEmptyAfterClose() throws Exception {
    String topic = unique("snapshot");
    String key = deploy(topic);
    start(key);
    start(key);
    CountDownLatch gate = new CountDownLatch(1);
    JobWorker worker = startWorker(topic, job -> {
      gate.await(10, TimeUnit.SECONDS);
      return JobResult.complete();
    }, SubscriptionOptions.builder().maxConcurrentJobs(5).build());
    try {
      await().atMost(PATIENCE).until(() -> worker.subscriptions().get(0).jobsHeld() == 2);
      SubscriptionState s = worker.subscriptions().get(0);
      assertThat(s.topic()).isEqualTo(topic);
      assertThat(s.engine()).isEqualTo(engine.id());
      assertThat(s.slotLimit()).isEqualTo(5);
      assertThat(s.jobsWaiting()).isZero();
    } finally {
      gate.countDown();
      worker.close();
    }
    SubscriptionState after = worker.subscriptions().get(0);
    assertThat(after.jobsHeld()).isZero();
    assertThat(after.fetchesOpen()).isZero();
  }

  @Test
  void aPushedJobIsReportedAsPushedAndCountsInTheSnapshotWhileItWaits() throws Exception {
    PushingEngine pushing = new PushingEngine();
    List<WorkerEvent> seen = new CopyOnWriteArrayList<>();
    CountDownLatch gate = new CountDownLatch(1);
    JobWorker worker = JobWorker.builder(pushing)
        .options(workerOptions().listener(seen::add).build())
        .subscribe("t", job -> {
          gate.await(10, TimeUnit.SECONDS);
          return JobResult.complete();
        }, SubscriptionOptions.builder().maxConcurrentJobs(1).build())
        .build().start();
    try {
      await().atMost(PATIENCE).until(() -> pushing.openStreams() == 1);
      assertThat(worker.subscriptions().get(0).fetchesOpen()).isPositive();
      pushing.create(2);
      await().atMost(PATIENCE).until(() -> worker.subscriptions().get(0).jobsWaiting() == 1);
      assertThat(seen.stream().filter(e -> e.type() == Type.PUSHED).count()).isEqualTo(2);
      gate.countDown();
      await().atMost(PATIENCE).until(() -> pushing.completedJobs() == 2);
    } finally {
      gate.countDown();
      worker.close();
    }
    assertThat(worker.subscriptions().get(0).jobsWaiting()).isZero();
    assertThat(worker.subscriptions().get(0).fetchesOpen()).isZero();
  }

  @Test
  void chainedListenersEachSeeEveryEventEvenWhenTheFirstThrows() {
    List<WorkerEvent> second = new CopyOnWriteArrayList<>();
    WorkerListener failing = e -> {
      throw new IllegalStateException("listener bug");
    };
    WorkerListener both = failing.andThen(second::add);
    WorkerEvent event = new WorkerEvent(Type.STARTED, "e", "w", "t", "j", java.time.Duration.ZERO,
        java.time.Duration.ZERO, 1, null);
    try {
      both.onEvent(event);
    } catch (IllegalStateException expected) {
      // the first listener's exception propagates, after the second one ran
    }
    assertThat(second).containsExactly(event);
  }

  @Test
  void pluginsWrapEveryHandlerListenAfterTheWorkersListenerAndSeeTheBuiltWorker() throws Exception {
    String topic = unique("plugged");
    String process = deploy(topic);
    List<String> calls = new CopyOnWriteArrayList<>();
    List<JobWorker> seen = new CopyOnWriteArrayList<>();
    class Recording implements WorkerPlugin {
      final String name;

      Recording(String name) {
        this.name = name;
      }

      @Override
      public WorkerListener listener() {
        return e -> {
          if (e.type() == WorkerEvent.Type.COMPLETED) {
            calls.add(name + " heard");
          }
        };
      }

      @Override
      public JobHandler wrap(String t, JobHandler handler) {
        return job -> {
          calls.add(name + " in");
          return handler.handle(job);
        };
      }

      @Override
      public void built(JobWorker worker) {
        seen.add(worker);
      }
    }
    JobWorker worker = JobWorker.builder(engine)
        .options(workerOptions().listener(e -> {
          if (e.type() == WorkerEvent.Type.COMPLETED) {
            calls.add("worker heard");
          }
        }).build())
        .plugin(new Recording("first")).plugin(new Recording("second"))
        .subscribe(topic, job -> {
          calls.add("handler");
          return JobResult.complete();
        })
        .build();
    assertThat(seen).containsExactly(worker, worker);
    assertThat(worker.handlers()).containsOnlyKeys(topic);
    assertThat(worker.handlers().get(topic)).doesNotContain("Recording"); // the handler as subscribed, not a plugin's wrapper
    try (worker) {
      worker.start();
      start(process);
      await().atMost(PATIENCE).until(() -> calls.size() == 6);
    }
    // The last plugin added is outermost; listeners run after the worker's own, in order.
    assertThat(calls).containsExactly("second in", "first in", "handler", "worker heard", "first heard",
        "second heard");
  }
}
