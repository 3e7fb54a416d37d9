package io.polyworker;

/**
 * Receives every {@link WorkerEvent} of a {@code JobWorker}: the hook for metrics, tracing and tests.
 * Called synchronously on the runtime's threads (pollers, handler threads, the lock extender), so it
 * must be fast, non-blocking and thread-safe. An exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface WorkerListener {
  void onEvent(WorkerEvent event);
}
