package io.polyworker.worker.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Hands jobs back to the engine on the engine-call executor, each release its own call, so that
 * close() releases every unstarted job at once instead of one blocking call after another (with the
 * engine down, 32 queued jobs would otherwise take 32 request timeouts), and so that a release never
 * waits behind a busy handler thread. Counts releases in flight, so close() can wait for them.
 */
final class Releases {
  private final Executor calls;
  /** Hand-backs in flight: slots without a limit, so close() can wait until none is held. */
  private final Capacity inFlight = new Capacity(Integer.MAX_VALUE);

  Releases(Executor calls) {
    this.calls = calls;
  }

  /** Runs {@code release} in the background; it must not throw. */
  void submit(Runnable release) {
    inFlight.tryAcquire();
    Runnable task = () -> {
      try {
        release.run();
      } finally {
        inFlight.release(1);
      }
    };
    try {
      calls.execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  /** Waits until no release is in flight; returns whether that happened before the deadline. */
  boolean awaitIdle(long deadlineNanos) throws InterruptedException {
    return inFlight.awaitEmpty(deadlineNanos);
  }

  int pending() {
    return inFlight.held();
  }
}
