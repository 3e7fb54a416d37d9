package io.polyworker.worker;

import io.polyworker.JobHandler;
import io.polyworker.WorkerListener;
import org.jspecify.annotations.Nullable;

/**
 * What an integration adds to a worker as it is built, in one call:
 * {@code JobWorker.builder(engine).plugin(metrics).plugin(tracing)}. Each plugin may listen to the
 * worker's events, wrap every subscription's handler, and see the worker once it is built (to bind
 * gauges, for example). The Micrometer and OpenTelemetry bindings are plugins; so may be your own.
 *
 * <p>{@link JobWorker.Builder#build()} applies the plugins in the order they were added: their
 * listeners run after the worker's own {@link io.polyworker.WorkerOptions#listener()}, in that
 * order; each handler is wrapped by the first plugin, then the second (the last added is outermost);
 * {@link #built} is called on the builder's thread, before the worker is returned. A plugin used by
 * several workers must be thread-safe, as listeners are.
 */
public interface WorkerPlugin {

  /** A listener for the worker's events, or null (the default) for none. */
  default @Nullable WorkerListener listener() {
    return null;
  }

  /** The handler as the worker runs it for {@code topic}; by default {@code handler} itself. */
  default JobHandler wrap(String topic, JobHandler handler) {
    return handler;
  }

  /** Called once the worker is built, before it is started; by default nothing. */
  default void built(JobWorker worker) {}
}
