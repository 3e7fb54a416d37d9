package io.polyworker;

/**
 * Receives every {@link WorkerEvent} of a {@code JobWorker}: the hook for metrics, tracing and tests.
 * Called synchronously on the runtime's threads (pollers, handler threads, the lock extender), so it
 * must be fast, non-blocking and thread-safe. An exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface WorkerListener {
  void onEvent(WorkerEvent event);

  /**
   * A listener that gives every event to this one, then to {@code next}, also when this one throws
   * (its exception then propagates after {@code next} ran, and the worker logs it).
   */
  default WorkerListener andThen(WorkerListener next) {
    java.util.Objects.requireNonNull(next, "next");
    return event -> {
      try {
        onEvent(event);
      } finally {
        next.onEvent(event);
      }
    };
  }
}
