package io.polyworker.worker.internal;

import io.polyworker.WorkerEvent;
import io.polyworker.WorkerListener;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Delivers the runtime's events to the worker's listener, each tagged with the engine; a throwing
 * listener is logged, never propagated. Thread-safe: called from every runtime thread.
 */
final class Events {
  private static final Logger LOG = WorkerRuntime.LOG;

  private final String engine;
  private final String workerId;
  private final WorkerListener listener;

  Events(String engine, String workerId, WorkerListener listener) {
    this.engine = engine;
    this.workerId = workerId;
    this.listener = listener;
  }

  void emit(WorkerEvent.Type type, String topic, @Nullable String jobId, Duration duration,
      int count, @Nullable Throwable error) {
    deliver(type, topic, jobId, duration, Duration.ZERO, count, error);
  }

  /** An event about a job the worker holds: its time in the worker is counted from its arrival. */
  void emitFor(WorkerEvent.Type type, String topic, JobExecution job, Duration duration, int count,
      @Nullable Throwable error) {
    Duration inWorker = Duration.ofNanos(Math.max(0, System.nanoTime() - job.arrivedAtNanos));
    deliver(type, topic, job.locked.id(), duration, inWorker, count, error);
  }

  private void deliver(WorkerEvent.Type type, String topic, @Nullable String jobId, Duration duration,
      Duration inWorker, int count, @Nullable Throwable error) {
    try {
      listener.onEvent(new WorkerEvent(type, engine, workerId, topic, jobId, duration, inWorker, count,
          error));
    } catch (RuntimeException e) {
      LOG.warn("{}: worker listener threw on {} event; ignored", SubscriptionRunner.label(engine, topic), type, e);
    }
  }

  void emit(WorkerEvent.Type type, String topic, @Nullable String jobId) {
    emit(type, topic, jobId, Duration.ZERO, 1, null);
  }
}
