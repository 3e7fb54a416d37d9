package io.polyworker.worker.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands jobs back to the engine on the engine-call executor, each release its own call, so that
 * close() releases every unstarted job at once instead of one blocking call after another (with the
 * engine down, 32 queued jobs would otherwise take 32 request timeouts), and so that a release never
 * waits behind a busy handler thread. Counts releases in flight, so close() can wait for them.
 */
final class Releases {
  private final Executor calls;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private int pending;

  Releases(Executor calls) {
    this.calls = calls;
  }

  /** Runs {@code release} in the background; it must not throw. */
  void submit(Runnable release) {
    change(1);
    Runnable task = () -> {
      try {
        release.run();
      } finally {
        change(-1);
      }
    };
    try {
      calls.execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  private void change(int delta) {
    lock.lock();
    try {
      pending += delta;
      if (pending == 0) {
        idle.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits until no release is in flight; returns whether that happened before the deadline. */
  boolean awaitIdle(long deadlineNanos) throws InterruptedException {
    lock.lock();
    try {
      while (pending > 0) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        idle.await(left, TimeUnit.NANOSECONDS);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  int pending() {
    lock.lock();
    try {
      return pending;
    } finally {
      lock.unlock();
    }
  }
}
