package io.polyworker.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.polyworker.Concurrency;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerListener;
import io.polyworker.engine.Engine;
import io.polyworker.micrometer.JobWorkerMetrics;
import io.polyworker.opentelemetry.JobTracing;
import io.polyworker.worker.JobWorker;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * Polyworker with its default options: {@code JobWorker.builder(engine).subscribe(topic, handler)},
 * nothing else set. A listener counts fetches (FETCHED, POLL_EMPTY, POLL_ERROR events) and accepted
 * completions (COMPLETED events); the listener hook exists for metrics and costs a switch per event.
 * The observed variant adds both optional bindings as a user would: {@link JobWorkerMetrics} on a
 * Micrometer registry, and {@link JobTracing} (span per job, handler wrapped) on an OpenTelemetry
 * SDK whose spans go through a batch processor to an exporter that drops them.
 */
final class PolyworkerClient implements Client {
  /** The adaptive client's limit. */
  static final Concurrency ADAPTIVE = Concurrency.adaptive(32, 256);

  private final Supplier<Engine> engines;
  private final boolean observed;
  private final boolean adaptive;

  PolyworkerClient(Supplier<Engine> engines) {
    this(engines, false);
  }

  PolyworkerClient(Supplier<Engine> engines, boolean observed) {
    this(engines, observed, false);
  }

  private PolyworkerClient(Supplier<Engine> engines, boolean observed, boolean adaptive) {
    this.engines = engines;
    this.observed = observed;
    this.adaptive = adaptive;
  }

  /** Polyworker with {@link #ADAPTIVE} as its only option. */
  static PolyworkerClient adaptive(Supplier<Engine> engines) {
    return new PolyworkerClient(engines, false, true);
  }

  @Override
  public Kind kind() {
    return observed ? Kind.OBSERVED : adaptive ? Kind.ADAPTIVE : Kind.POLYWORKER;
  }

  @Override
  public String label() {
    return observed ? "Polyworker 0.1.0-SNAPSHOT with Micrometer + OpenTelemetry"
        : adaptive ? "Polyworker 0.1.0-SNAPSHOT, maxConcurrentJobs " + ADAPTIVE
        : "Polyworker 0.1.0-SNAPSHOT (defaults)";
  }

  @Override
  public String fetchCounting() {
    return "WorkerListener FETCHED + POLL_EMPTY + POLL_ERROR events";
  }

  @Override
  public Running open(String topic, Variant variant, Probe probe) {
    Engine engine = engines.get();
    Observed bindings = observed ? new Observed() : null;
    JobWorker worker;
    try {
      WorkerListener counting = counting(probe);
      JobHandler handler = job -> {
        probe.started(job.processInstanceId());
        variant.work();
        return JobResult.complete();
      };
      JobWorker built = JobWorker.builder(engine)
          .listener(bindings == null ? counting : counting.andThen(bindings.metrics).andThen(bindings.tracing))
          .subscribe(topic, bindings == null ? handler : bindings.tracing.handler(handler),
              adaptive ? SubscriptionOptions.builder().maxConcurrentJobs(ADAPTIVE).build()
                  : SubscriptionOptions.defaults())
          .build();
      worker = (bindings == null ? built : bindings.metrics.bindTo(built)).start();
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    return () -> {
      try {
        worker.close();
      } finally {
        engine.close();
        if (bindings != null) {
          bindings.sdk.close();
        }
      }
    };
  }

  /**
   * The listener through which every Polyworker client reports to the probe: accepted completions,
   * answered and failed fetches, failed reports and lost locks.
   */
  static WorkerListener counting(Probe probe) {
    return event -> {
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
    };
  }

  /** Both bindings, set up as a user would, with nowhere to send what they record. */
  private static final class Observed {
    final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(BatchSpanProcessor.builder(new DroppingExporter()).build()).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    final JobWorkerMetrics metrics = JobWorkerMetrics.create(new SimpleMeterRegistry());
    final JobTracing tracing = JobTracing.create(sdk);
  }

  /** Accepts every span and keeps none. */
  private static final class DroppingExporter implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
