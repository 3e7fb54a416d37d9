package io.polyworker.worker.internal;

import static io.polyworker.WorkerEvent.Type.LOCK_EXTENDED;

import io.polyworker.NotFoundException;
import io.polyworker.SubscriptionOptions;
import io.polyworker.worker.internal.DefaultJobWorker.Events;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * Keeps the lock of every job a subscription holds, from the job's arrival until its report ended.
 * Where the engine can extend locks (and the subscription wants it), the lock is extended a margin
 * before it runs out; otherwise a watch marks the lock lost when it runs out.
 *
 * <p>The timer thread only times: each extension is a blocking call made on the engine-call
 * executor, at most one in flight per job, so one slow answer never delays another job's heartbeat.
 *
 * <p>A refused extension means the job is lost to this worker only while no result is on its way:
 * once the report has begun, "no such job" is most likely this worker's own completion winning the
 * race, and the report's own answer decides (so a completed job never shows a LOCK_LOST).
 */
final class LockKeeper {
  private static final Logger LOG = DefaultJobWorker.LOG;

  private final SubscriptionRunner runner;
  private final EngineClient client;
  private final String workerId;
  private final SubscriptionOptions options;
  private final ScheduledExecutorService timer;
  private final Executor calls;
  private final Events events;
  private final boolean extending;
  private final long lockMillis;
  private final AtomicBoolean warnedNoExtension = new AtomicBoolean();

  LockKeeper(SubscriptionRunner runner, EngineClient client, String workerId,
      SubscriptionOptions options, ScheduledExecutorService timer, Executor calls, Events events) {
    this.runner = runner;
    this.client = client;
    this.workerId = workerId;
    this.options = options;
    this.timer = timer;
    this.calls = calls;
    this.events = events;
    this.extending = options.lockExtension() && client.capabilities().has(Capability.LOCK_EXTENSION);
    this.lockMillis = options.lockDuration().toMillis();
  }

  /** Starts keeping the lock of a job that just arrived. */
  void start(JobExecution e) {
    long left = e.millisLeft();
    schedule(e, extending ? left - margin(e.leaseMillis()) : left);
  }

  /** How long before expiry to extend: a third of the lock, and at least half of a short one. */
  private static long margin(long lease) {
    return Math.max(lease / 3, Math.min(lease / 2, 1_000));
  }

  private void schedule(JobExecution e, long delayMillis) {
    if (e.isDone()) {
      return;
    }
    try {
      e.lockTimer(timer.schedule(() -> due(e), Math.max(0, delayMillis), TimeUnit.MILLISECONDS));
    } catch (RejectedExecutionException ignored) {
      // the worker is closing: nothing is kept past close()
    }
  }

  private void due(JobExecution e) {
    if (e.isDone() || e.job.isLockLost()) {
      return;
    }
    if (!extending) {
      expired(e);
      return;
    }
    try {
      calls.execute(() -> extend(e));
    } catch (RejectedExecutionException ignored) {
      // closing
    }
  }

  private void extend(JobExecution e) {
    if (e.isDone() || e.job.isLockLost()) {
      return;
    }
    Duration lock = options.lockDuration();
    long sent = System.currentTimeMillis();
    try {
      Instant expiry = client.extendLock(e.locked, workerId, lock);
      e.extended(expiry, sent, lockMillis);
      events.emit(LOCK_EXTENDED, runner.topic(), e.locked.id(), lock, 1, null);
      schedule(e, e.millisLeft() - margin(lockMillis));
    } catch (NotFoundException refused) {
      refused(e, refused);
    } catch (RuntimeException error) {
      long left = e.millisLeft();
      if (left <= 0) {
        refused(e, error);
        return;
      }
      LOG.debug("topic {}: extending the lock of job {} failed, retrying", runner.topic(),
          e.locked.id(), error);
      schedule(e, Math.max(50, Math.min(1000, left / 2)));
    }
  }

  private void refused(JobExecution e, Throwable cause) {
    if (!e.beforeReport()) {
      LOG.debug("topic {}: lock extension of job {} refused while its result is being reported;"
          + " the report's answer decides: {}", runner.topic(), e.locked.id(), cause.toString());
      return;
    }
    runner.lockLost(e, cause);
  }

  private void expired(JobExecution e) {
    if (!e.beforeReport()) {
      return; // the report's answer decides
    }
    if (e.state() == JobExecution.State.RUNNING && options.lockExtension()
        && warnedNoExtension.compareAndSet(false, true)) {
      LOG.warn("topic {}: a handler ran past its lock duration of {} and the lock cannot be extended"
          + " ({}); the job may run twice. Raise lockDuration for this subscription.", runner.topic(),
          options.lockDuration(), client.capabilities().whyMissing(Capability.LOCK_EXTENSION));
    }
    runner.lockLost(e, null);
  }

  @Override
  public String toString() {
    return "LockKeeper[" + runner.topic() + (extending ? ", extending]" : ", watching]");
  }
}
