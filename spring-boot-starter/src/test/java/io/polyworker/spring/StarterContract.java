package io.polyworker.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.polyworker.DeploymentResource;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessResult;
import io.polyworker.StartProcess;
import io.polyworker.engine.Engine;
import io.polyworker.micrometer.JobWorkerMetrics;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.worker.JobWorker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The starter's contract on one real engine, chosen by two properties only: annotated handlers
 * complete instances with the variables they return, a BPMN error takes the boundary path, a thrown
 * exception fails the job with the runtime's retries, a POJO parameter and a custom header are
 * bound; meters count what the engine accepted and one trace follows each instance.
 */
abstract class StarterContract {

  /** {@code polyworker.engine} and {@code polyworker.url} of the engine under test. */
  protected abstract Map<String, Object> engineProperties();

  protected abstract Dialect dialect();

  /** Whether the engine carries custom headers (Camunda extension properties, Zeebe task headers). */
  protected boolean hasHeaders() {
    return true;
  }

  static ConfigurableApplicationContext start(Class<?> app, Map<String, Object> properties) {
    return new SpringApplicationBuilder(app).web(WebApplicationType.NONE)
        .properties(Map.of("spring.main.banner-mode", "off", "polyworker.worker.long-poll-timeout", "1s"))
        .properties(properties).run();
  }

  @Test
  void annotatedHandlersRunTheOrderProcess() {
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> properties = new java.util.HashMap<>(engineProperties());
    properties.put("test.run", run);
    TestProcess process = TestProcess.named("order_" + run.replace('-', '_'))
        .task("charge", "charge-" + run).task("notify", "notify-" + run)
        .catchError("charge", "DECLINED", "declined-" + run).header("currency", "EUR");
    try (ConfigurableApplicationContext ctx = start(OrderApp.class, properties)) {
      assertThat(ctx.getBean(Engine.class).id()).isEqualTo(properties.get("polyworker.engine"));
      assertThat(ctx.getBean(JobWorker.class).isRunning()).isTrue();
      ProcessClient client = ctx.getBean(ProcessClient.class);
      client.deploy(DeploymentResource.of(process.resourceName(), process.toXml(dialect())));
      OrderApp.Handlers handlers = ctx.getBean(OrderApp.Handlers.class);

      Span parent = ctx.getBean(OpenTelemetry.class).getTracer("test").spanBuilder("place-order").startSpan();
      ProcessResult paid;
      try (Scope ignored = parent.makeCurrent()) {
        paid = client.startProcessAndAwait(StartProcess.of(process.id())
            .withVariables(Map.of("id", "o1", "amount", 50)), Duration.ofSeconds(60));
      } finally {
        parent.end();
      }
      assertThat(paid.variables()).containsEntry("receipt", "o1-paid").containsEntry("notified", "o1-paid");
      assertThat(paid.variables().get("currency")).isEqualTo(hasHeaders() ? "EUR" : null);
      // The first attempt threw: the engine took the failure and handed the job out again with one retry less.
      assertThat(handlers.notifyRetries.get(paid.processInstanceId())).hasSize(2).last().isEqualTo(2);

      ProcessResult declined = client.startProcessAndAwait(StartProcess.of(process.id())
          .withVariables(Map.of("id", "o2", "amount", 500)), Duration.ofSeconds(60));
      assertThat(handlers.declined).containsExactly(declined.processInstanceId());
      assertThat(declined.variables()).doesNotContainKey("receipt");

      SimpleMeterRegistry meters = ctx.getBean(SimpleMeterRegistry.class);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(reported(meters, "charge-" + run, "completed")).isEqualTo(1);
        assertThat(reported(meters, "charge-" + run, "bpmn_error")).isEqualTo(1);
        assertThat(reported(meters, "notify-" + run, "failed")).isEqualTo(1);
        assertThat(reported(meters, "notify-" + run, "completed")).isEqualTo(1);
      });

      // One trace from the span that started the instance through each of its job attempts.
      List<SpanData> spans = ctx.getBean(InMemorySpanExporter.class).getFinishedSpanItems();
      String traceId = parent.getSpanContext().getTraceId();
      assertThat(spans).filteredOn(s -> s.getTraceId().equals(traceId)).extracting(SpanData::getName)
          .containsExactlyInAnyOrder("place-order", "charge-" + run, "notify-" + run, "notify-" + run);
    }
  }

  private static double reported(SimpleMeterRegistry meters, String topic, String outcome) {
    var counter = meters.find(JobWorkerMetrics.REPORTED).tag("topic", topic).tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }
}
