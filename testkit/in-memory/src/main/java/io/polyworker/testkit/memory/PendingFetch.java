package io.polyworker.testkit.memory;

import io.polyworker.spi.LockedJob;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fetch in flight. It leaves the in-flight count before its future completes, so that a caller
 * woken by the completion who fetches again at once is not counted twice. Part of
 * {@link InMemoryJobClient}.
 */
final class PendingFetch {
  final CompletableFuture<List<LockedJob>> future = new CompletableFuture<>();
  private final AtomicBoolean open = new AtomicBoolean(true);
  private final Faults faults;

  /** Counts the fetch in flight; its completion wakes the long polls of {@code state}. */
  PendingFetch(Faults faults, EngineState state) {
    this.faults = faults;
    faults.fetchStarted();
    future.whenComplete((jobs, error) -> {
      leave();
      state.signal(); // wakes the long poll of a cancelled fetch
    });
  }

  private void leave() {
    if (open.compareAndSet(true, false)) {
      faults.fetchEnded();
    }
  }

  boolean isDone() {
    return future.isDone();
  }

  boolean complete(List<LockedJob> jobs) {
    if (future.isDone()) {
      return false;
    }
    leave();
    return future.complete(jobs);
  }

  void fail(Throwable error) {
    leave();
    future.completeExceptionally(error);
  }
}
