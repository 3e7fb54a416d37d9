package io.polyworker.worker.internal;

import io.polyworker.spi.LockedJob;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * One job the worker holds, from its arrival (fetched or pushed) until its result was reported, it was
 * released, or it was left to the engine. Its lock is kept (extended, or watched where the engine
 * cannot extend) all that time: while it waits for an executor thread, while the handler runs, and
 * while the report is retried. It holds one capacity slot until its handler returned, or until the
 * end where its report stays on the handler's thread ({@link SubscriptionRunner#detachReport}).
 *
 * <p>The state moves forward only, by compare-and-set, so that exactly one party decides each step:
 * the executor thread (QUEUED → RUNNING), close() or a lost lock (QUEUED → DONE, the handler never
 * starts), the handler thread (RUNNING → REPORTING → DONE). {@link #finish()} runs once.
 */
final class JobExecution implements Runnable {
  enum State { QUEUED, RUNNING, REPORTING, DONE }

  private final SubscriptionRunner runner;
  final LockedJob locked;
  final ActiveJob job;
  /** When the job arrived, on this JVM's clock; its lock began no later. */
  final long arrivedAtMillis;
  /**
   * The same arrival on the monotonic clock the handler's duration is measured on, so that a job's
   * time in the worker never reads shorter than its handler's run (the wall clock has only
   * millisecond steps and may be adjusted).
   */
  final long arrivedAtNanos;
  private final AtomicReference<State> state = new AtomicReference<>(State.QUEUED);
  private final AtomicBoolean finished = new AtomicBoolean();
  /** Whether its slot was given back when the handler returned, before the report ended. */
  private volatile boolean slotFreed;
  /** Our own clock's view of the lock's end: arrival (or the last extension sent) plus its duration. */
  private volatile long localExpiryMillis;
  /** How long the current lock runs: the first one (a pushed job's short lease), then each extension's. */
  private volatile long leaseMillis;
  private volatile @Nullable Thread thread;
  private @Nullable ScheduledFuture<?> lockTimer;

  JobExecution(SubscriptionRunner runner, LockedJob locked, long arrivedAtMillis, long lockMillis) {
    this.runner = runner;
    this.locked = locked;
    this.job = new ActiveJob(locked);
    this.arrivedAtMillis = arrivedAtMillis;
    long waitedMillis = Math.max(0, System.currentTimeMillis() - arrivedAtMillis);
    this.arrivedAtNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(waitedMillis);
    this.localExpiryMillis = arrivedAtMillis + lockMillis;
    this.leaseMillis = lockMillis;
  }

  long leaseMillis() {
    return leaseMillis;
  }

  State state() {
    return state.get();
  }

  boolean isDone() {
    return state.get() == State.DONE;
  }

  /** True while no result is on its way: a lost lock then means the job is lost to this worker. */
  boolean beforeReport() {
    State s = state.get();
    return s == State.QUEUED || s == State.RUNNING;
  }

  boolean moveTo(State from, State to) {
    return state.compareAndSet(from, to);
  }

  void done() {
    state.set(State.DONE);
  }

  /**
   * Milliseconds until the lock ends: the earlier of the engine's expiry (its clock) and ours, so
   * that a server clock running ahead does not make us trust a lock that is already gone.
   */
  long millisLeft() {
    long now = System.currentTimeMillis();
    return Math.min(job.lockExpiresAt().toEpochMilli(), localExpiryMillis) - now;
  }

  void extended(Instant engineExpiry, long sentAtMillis, long lockMillis) {
    job.lockExtendedTo(engineExpiry);
    localExpiryMillis = sentAtMillis + lockMillis;
    leaseMillis = lockMillis;
  }

  /** Keeps the next lock timer, or cancels it at once when the job is done already. */
  synchronized void lockTimer(@Nullable ScheduledFuture<?> next) {
    if (next == null) {
      return;
    }
    if (isDone()) {
      next.cancel(false);
    } else {
      lockTimer = next;
    }
  }

  private synchronized void cancelLockTimer() {
    if (lockTimer != null) {
      lockTimer.cancel(false);
      lockTimer = null;
    }
  }

  void interrupt() {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  void runningOn(@Nullable Thread t) {
    thread = t;
  }

  /** Its slot was given back while the report goes on: {@link #finish()} must not give it back again. */
  void slotFreed() {
    slotFreed = true;
  }

  /** Whether it still holds its capacity slot (false once its report went on without it). */
  boolean holdsSlot() {
    return !slotFreed;
  }

  /** Ends the job's stay in the worker: stops keeping its lock and gives back its slot if it still holds it. Once. */
  void finish() {
    done();
    if (finished.compareAndSet(false, true)) {
      cancelLockTimer();
      runner.finished(this);
    }
  }

  @Override
  public void run() {
    runner.execute(this);
  }

  @Override
  public String toString() {
    return "JobExecution[" + locked.id() + ", " + state.get() + "]";
  }
}
