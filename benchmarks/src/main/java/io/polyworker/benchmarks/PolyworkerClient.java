package io.polyworker.benchmarks;

import io.polyworker.engine.Engine;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import java.util.function.Supplier;

/**
 * Polyworker with its default options: {@code JobWorker.builder(engine).subscribe(topic, handler)},
 * nothing else set. A listener counts fetches (FETCHED, POLL_EMPTY, POLL_ERROR events) and accepted
 * completions (COMPLETED events); the listener hook exists for metrics and costs a switch per event.
 */
final class PolyworkerClient implements Client {
  private final Supplier<Engine> engines;

  PolyworkerClient(Supplier<Engine> engines) {
    this.engines = engines;
  }

  @Override
  public Kind kind() {
    return Kind.POLYWORKER;
  }

  @Override
  public String label() {
    return "Polyworker 0.1.0-SNAPSHOT (defaults)";
  }

  @Override
  public String fetchCounting() {
    return "WorkerListener FETCHED + POLL_EMPTY + POLL_ERROR events";
  }

  @Override
  public Running open(String topic, Variant variant, Probe probe) {
    Engine engine = engines.get();
    JobWorker worker;
    try {
      worker = JobWorker.builder(engine)
          .listener(event -> {
            switch (event.type()) {
              case COMPLETED -> probe.completed();
              case FETCHED, POLL_EMPTY -> {
                probe.fetched();
                probe.answered(event.count(), event.duration().toNanos());
              }
              case POLL_ERROR -> {
                probe.fetched();
                probe.error();
              }
              case REPORT_FAILED, REPORT_RETRIED, LOCK_LOST -> probe.error();
              default -> { }
            }
          })
          .subscribe(topic, job -> {
            probe.started(job.processInstanceId());
            variant.work();
            return JobResult.complete();
          })
          .build()
          .start();
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    return () -> {
      try {
        worker.close();
      } finally {
        engine.close();
      }
    };
  }
}
