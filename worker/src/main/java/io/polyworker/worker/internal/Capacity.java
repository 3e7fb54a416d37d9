package io.polyworker.worker.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the jobs a subscription holds (fetching, queued, running or reporting) against its limit.
 * The poller reserves free slots before it fetches, so the engine is never asked for more jobs than
 * can run, and waits until at least a threshold of slots is free so that fetches come in useful
 * batches instead of one job at a time.
 */
final class Capacity {
  private final int max;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private int held;
  private boolean open = true;
  private int peak;

  Capacity(int max) {
    this.max = max;
  }

  /**
   * Waits until at least {@code threshold} slots are free (or none is held), then reserves up to
   * {@code limit} of them. Returns 0 once {@link #shutdown()} was called.
   */
  int reserve(int threshold, int limit) throws InterruptedException {
    lock.lock();
    try {
      while (open && max - held < threshold && held > 0) {
        changed.await();
      }
      if (!open) {
        return 0;
      }
      int n = Math.min(limit, max - held);
      held += n;
      peak = Math.max(peak, held);
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** Takes one slot if one is free. */
  boolean tryAcquire() {
    lock.lock();
    try {
      if (held >= max) {
        return false;
      }
      held++;
      peak = Math.max(peak, held);
      return true;
    } finally {
      lock.unlock();
    }
  }

  void release(int n) {
    if (n == 0) {
      return;
    }
    lock.lock();
    try {
      held -= n;
      if (held < 0) {
        throw new IllegalStateException("capacity released more than reserved");
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Wakes the poller and makes further reservations return 0. */
  void shutdown() {
    lock.lock();
    try {
      open = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until no slot is held; returns whether that happened before the deadline. */
  boolean awaitEmpty(long deadlineNanos) throws InterruptedException {
    lock.lock();
    try {
      while (held > 0) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The subscription's maxConcurrentJobs. */
  int limit() {
    return max;
  }

  int held() {
    lock.lock();
    try {
      return held;
    } finally {
      lock.unlock();
    }
  }
}
