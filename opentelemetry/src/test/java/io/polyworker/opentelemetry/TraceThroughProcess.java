package io.polyworker.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.polyworker.DeploymentResource;
import io.polyworker.JobResult;
import io.polyworker.ProcessClient;
import io.polyworker.SubscriptionOptions;
import io.polyworker.engine.Engine;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.worker.JobWorker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The contract every engine is held to: a process with two service tasks, started under a parent
 * span through the tracing process client, yields one trace whose root is that span and one CONSUMER
 * span per job, each a child of the root, with the documented attributes and no variable value.
 */
final class TraceThroughProcess {
  static final String SECRET = "iban-DE89370400440532013000";

  final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
      .build();
  final JobTracing tracing = JobTracing.create(otel);

  /** Runs the two-task process on {@code engine} and checks the trace. */
  void check(Engine engine, Dialect dialect, SubscriptionOptions options) {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String first = "reserve-" + run;
    String second = "ship-" + run;
    TestProcess process = TestProcess.named("traced_" + run.replace('-', '_'))
        .task("reserve", first).task("ship", second);
    engine.processClient().deploy(DeploymentResource.of(process.resourceName(), process.toXml(dialect)));
    ProcessClient processes = tracing.processClient(engine.processClient());
    try (JobWorker worker = JobWorker.builder(engine)
        .listener(tracing)
        .subscribe(first, tracing.handler(job -> JobResult.complete(Map.of("reserved", true))), options)
        .subscribe(second, tracing.handler(job -> {
          assertThat(Span.current().getSpanContext().isValid()).as("the handler runs in its span").isTrue();
          return JobResult.complete();
        }), options)
        .build().start()) {
      Span root = otel.getTracer("test").spanBuilder("place order").startSpan();
      String instance;
      try (Scope scope = root.makeCurrent()) {
        instance = processes.startProcess(process.id(), Map.of("iban", SECRET));
      } finally {
        root.end();
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> consumerSpans(root).size() == 2
          && tracing.openSpans() == 0);
      List<SpanData> jobs = consumerSpans(root);
      assertThat(jobs).extracting(SpanData::getName).containsExactlyInAnyOrder(first, second);
      for (SpanData job : jobs) {
        assertThat(job.getTraceId()).isEqualTo(root.getSpanContext().getTraceId());
        assertThat(job.getParentSpanId()).isEqualTo(root.getSpanContext().getSpanId());
        assertThat(job.getAttributes().get(JobTracing.ENGINE)).isEqualTo(engine.id());
        assertThat(job.getAttributes().get(JobTracing.PROCESS_INSTANCE_ID)).isEqualTo(instance);
        assertThat(job.getAttributes().get(JobTracing.ELEMENT_ID)).isIn("reserve", "ship");
        assertThat(job.getAttributes().get(JobTracing.JOB_ID)).isNotBlank();
        assertThat(job.getAttributes().get(JobTracing.OUTCOME)).isEqualTo("completed");
        assertThat(job.getAttributes().asMap().values()).noneMatch(v -> String.valueOf(v).contains(SECRET));
      }
    }
  }

  List<SpanData> consumerSpans(Span root) {
    return exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getKind() == SpanKind.CONSUMER)
        .filter(s -> s.getTraceId().equals(root.getSpanContext().getTraceId()))
        .toList();
  }

  OpenTelemetry otel() {
    return otel;
  }
}
