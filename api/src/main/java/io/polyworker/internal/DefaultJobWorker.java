package io.polyworker.internal;

import io.polyworker.JobWorker;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerOptions;
import io.polyworker.spi.EngineClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link JobWorker} implementation: a {@link SubscriptionRunner} per subscription and one
 * small scheduler pool shared by all of them for lock extension. Closing walks the runners through
 * stop-fetching, drain, interrupt-stragglers, in that order, under one deadline.
 */
public final class DefaultJobWorker implements JobWorker {
  static final Logger LOG = LoggerFactory.getLogger("io.polyworker.worker");
  private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(5);
  private static final int EXTENDER_THREADS = 4;

  private enum State { NEW, RUNNING, CLOSING, CLOSED }

  private final WorkerOptions options;
  private final List<SubscriptionRunner> runners = new ArrayList<>();
  private final ScheduledThreadPoolExecutor scheduler;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final CountDownLatch terminated = new CountDownLatch(1);

  public DefaultJobWorker(EngineClient client, WorkerOptions options, List<Subscription> subscriptions) {
    this.options = options;
    // Extensions are blocking calls: a few threads keep one slow answer from delaying the others.
    AtomicInteger extenders = new AtomicInteger();
    this.scheduler = new ScheduledThreadPoolExecutor(EXTENDER_THREADS, r -> {
      Thread t = new Thread(r, "polyworker-lock-extender-" + extenders.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    Events events = new Events(client.engineId(), options.listener());
    for (Subscription s : subscriptions) {
      runners.add(new SubscriptionRunner(client, options, s, scheduler, events));
    }
  }

  @Override
  public JobWorker start() {
    if (state.compareAndSet(State.NEW, State.RUNNING)) {
      LOG.info("worker {} starting: {} subscription(s) on {}", options.workerId(), runners.size(),
          runners.isEmpty() ? "?" : runners.get(0).engineId());
      runners.forEach(SubscriptionRunner::start);
    } else if (state.get() != State.RUNNING) {
      throw new IllegalStateException("worker " + options.workerId() + " is closed and cannot be restarted");
    }
    return this;
  }

  @Override
  public void close() {
    State previous = state.getAndUpdate(s -> s == State.CLOSED ? s : State.CLOSING);
    if (previous == State.CLOSING || previous == State.CLOSED) {
      awaitQuietly();
      return;
    }
    try {
      long started = System.nanoTime();
      long deadline = started + options.drainTimeout().toNanos();
      runners.forEach(SubscriptionRunner::stopFetching);
      for (SubscriptionRunner r : runners) {
        r.awaitFetchingStopped(deadline);
      }
      boolean drained = true;
      for (SubscriptionRunner r : runners) {
        drained &= r.awaitDrained(deadline);
      }
      if (!drained) {
        LOG.warn("worker {}: handlers still running after the drain timeout of {}; interrupting them",
            options.workerId(), options.drainTimeout());
        runners.forEach(SubscriptionRunner::interruptHandlers);
        long graceDeadline = System.nanoTime() + INTERRUPT_GRACE.toNanos();
        for (SubscriptionRunner r : runners) {
          if (!r.awaitDrained(graceDeadline)) {
            LOG.warn("worker {}: topic {} still holds {} job(s) after interrupting; their locks will expire",
                options.workerId(), r.topic(), r.held());
          }
        }
      }
      runners.forEach(SubscriptionRunner::shutdown);
      scheduler.shutdownNow();
      scheduler.awaitTermination(INTERRUPT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      LOG.info("worker {} closed in {} ms", options.workerId(),
          (System.nanoTime() - started) / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      runners.forEach(SubscriptionRunner::interruptHandlers);
      runners.forEach(SubscriptionRunner::shutdown);
      scheduler.shutdownNow();
    } finally {
      state.set(State.CLOSED);
      terminated.countDown();
    }
  }

  private void awaitQuietly() {
    try {
      terminated.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  @Override
  public String workerId() {
    return options.workerId();
  }

  @Override
  public String toString() {
    return "JobWorker[" + options.workerId() + ", " + state.get() + "]";
  }

  /** Delivers events to the listener; a throwing listener is logged, never propagated. */
  static final class Events {
    private final String engine;
    private final io.polyworker.WorkerListener listener;

    Events(String engine, io.polyworker.WorkerListener listener) {
      this.engine = engine;
      this.listener = listener;
    }

    void emit(WorkerEvent.Type type, String topic, @Nullable String jobId, Duration duration,
        int count, @Nullable Throwable error) {
      try {
        listener.onEvent(new WorkerEvent(type, engine, topic, jobId, duration, count, error));
      } catch (RuntimeException e) {
        LOG.warn("worker listener threw on {} event; ignored", type, e);
      }
    }

    void emit(WorkerEvent.Type type, String topic, @Nullable String jobId) {
      emit(type, topic, jobId, Duration.ZERO, 1, null);
    }
  }
}
