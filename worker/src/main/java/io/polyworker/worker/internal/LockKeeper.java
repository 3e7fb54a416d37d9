package io.polyworker.worker.internal;

import static io.polyworker.WorkerEvent.Type.LOCK_EXTENDED;

import io.polyworker.NotFoundException;
import io.polyworker.spi.Capability;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * Keeps the lock of every job a subscription holds, from the job's arrival until its report ended.
 * Where the engine can extend locks (and the subscription wants it), the lock is extended a margin
 * before it runs out; otherwise a watch marks the lock lost when it runs out.
 *
 * <p>The parts.timer() thread only times: each extension is a blocking call made on the engine-call
 * executor, at most one in flight per job, so one slow answer never delays another job's heartbeat.
 *
 * <p>A refused extension means the job is lost to this worker only while no result is on its way:
 * once the report has begun, "no such job" is most likely this worker's own completion winning the
 * race, and the report's own answer decides (so a completed job never shows a LOCK_LOST).
 */
final class LockKeeper {
  private static final Logger LOG = WorkerRuntime.LOG;

  private final Parts parts;
  private final boolean extending;
  private final long lockMillis;
  private final AtomicBoolean warnedNoExtension = new AtomicBoolean();

  LockKeeper(Parts parts) {
    this.parts = parts;
    this.extending = parts.options().lockExtension() && parts.client().capabilities().has(Capability.LOCK_EXTENSION);
    this.lockMillis = parts.options().lockDuration().toMillis();
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
      e.lockTimer(parts.timer().schedule(() -> due(e), Math.max(0, delayMillis), TimeUnit.MILLISECONDS));
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
      parts.calls().execute(() -> extend(e));
    } catch (RejectedExecutionException ignored) {
      // closing
    }
  }

  private void extend(JobExecution e) {
    if (e.isDone() || e.job.isLockLost()) {
      return;
    }
    Duration lock = parts.options().lockDuration();
    long sent = System.currentTimeMillis();
    try {
      Instant expiry = parts.client().extendLock(e.locked, parts.worker().workerId(), lock);
      e.extended(expiry, sent, lockMillis);
      parts.events().emit(LOCK_EXTENDED, parts.runner().topic(), e.locked.id(), lock, 1, null);
      schedule(e, e.millisLeft() - margin(lockMillis));
    } catch (NotFoundException refused) {
      refused(e, refused);
    } catch (RuntimeException error) {
      long left = e.millisLeft();
      if (left <= 0) {
        refused(e, error);
        return;
      }
      LOG.debug("{}: extending the lock of job {} failed, retrying", parts.label(),
          e.locked.id(), error);
      schedule(e, Math.max(50, Math.min(1000, left / 2)));
    }
  }

  private void refused(JobExecution e, Throwable cause) {
    if (!e.beforeReport()) {
      LOG.debug("{}: lock extension of job {} refused while its result is being reported;"
          + " the report's answer decides: {}", parts.label(), e.locked.id(), cause.toString());
      return;
    }
    parts.runner().lockLost(e, cause);
  }

  private void expired(JobExecution e) {
    if (!e.beforeReport()) {
      return; // the report's answer decides
    }
    if (e.state() == JobExecution.State.RUNNING && parts.options().lockExtension()
        && warnedNoExtension.compareAndSet(false, true)) {
      LOG.warn("{}: a handler ran past its lock duration of {} and the lock cannot be extended"
          + " ({}); the job may run twice. Raise lockDuration for this subscription.", parts.label(),
          parts.options().lockDuration(), parts.client().capabilities().whyMissing(Capability.LOCK_EXTENSION));
    }
    parts.runner().lockLost(e, null);
  }

  @Override
  public String toString() {
    return "LockKeeper[" + parts.runner().topic() + (extending ? ", extending]" : ", watching]");
  }
}
