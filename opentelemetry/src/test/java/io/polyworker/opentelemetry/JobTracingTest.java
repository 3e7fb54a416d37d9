package io.polyworker.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.polyworker.DeploymentResource;
import io.polyworker.JobResult;
import io.polyworker.ProcessClient;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerOptions;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.memory.InMemoryEngine;
import io.polyworker.testkit.memory.InMemoryEngine.Operation;
import io.polyworker.worker.JobWorker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Spans of attempts, failures, report retries and context handed on, against the in-memory engine. */
class JobTracingTest {
  private final InMemoryEngine engine = InMemoryEngine.create();
  private final TraceThroughProcess trace = new TraceThroughProcess();
  private final JobTracing tracing = trace.tracing;

  @AfterEach
  void close() {
    engine.close();
  }

  private String deploy(TestProcess p) {
    engine.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(Dialect.CAMUNDA)));
    return p.id();
  }

  private JobWorker.Builder worker() {
    return JobWorker.builder(engine).options(WorkerOptions.builder()
        .emptyPollBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
        .reportRetryBackoff(io.polyworker.Backoff.fixed(Duration.ofMillis(20)))
        .listener(tracing).build());
  }

  private List<SpanData> consumers() {
    return trace.exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CONSUMER).toList();
  }

  @Test
  void theTwoTaskTraceHoldsOnTheInMemoryEngine() {
    trace.check(engine, Dialect.CAMUNDA, SubscriptionOptions.defaults());
  }

  @Test
  void aFailedAttemptRecordsTheExceptionAndTheRetryIsASpanOfItsOwn() {
    String topic = "flaky";
    String key = deploy(TestProcess.named("traced-flaky").task("t", topic));
    Set<String> failed = ConcurrentHashMap.newKeySet();
    try (JobWorker worker = worker().subscribe(topic, tracing.handler(job -> {
      if (failed.add(job.processInstanceId())) {
        throw new IllegalStateException("first attempt fails");
      }
      return JobResult.complete();
    }), SubscriptionOptions.builder().retryBackoff(Duration.ofMillis(50)).build()).build().start()) {
      tracing.processClient(engine.processClient()).startProcess(key, Map.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> consumers().size() == 2);
    }
    SpanData first = consumers().stream()
        .filter(s -> "failed".equals(s.getAttributes().get(JobTracing.OUTCOME)))
        .findFirst().orElseThrow();
    assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(first.getEvents()).extracting(EventData::getName).contains("exception");
    assertThat(consumers()).extracting(s -> s.getAttributes().get(JobTracing.OUTCOME))
        .containsExactlyInAnyOrder("failed", "completed");
    assertThat(tracing.openSpans()).isZero();
  }

  @Test
  void aRetryThatStartsBeforeTheWorkerHasTheAnswerToTheFailureIsASpanOfItsOwn() {
    String topic = "overtaken";
    String key = deploy(TestProcess.named("traced-overtaken").task("t", topic));
    java.util.concurrent.CountDownLatch retryStarted = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch failureDelivered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
    // The FAILED event of the first attempt reaches the tracing only once the retry (no backoff:
    // the engine offers the job again at once) has begun; the retry ends only after it.
    WorkerOptions options = WorkerOptions.builder()
        .emptyPollBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
        .listener(e -> {
          if (e.type() == io.polyworker.WorkerEvent.Type.FAILED) {
            await().atMost(Duration.ofSeconds(5)).until(() -> retryStarted.getCount() == 0);
            tracing.onEvent(e);
            failureDelivered.countDown();
          } else {
            tracing.onEvent(e);
          }
        }).build();
    try (JobWorker worker = JobWorker.builder(engine).options(options).subscribe(topic, tracing.handler(job -> {
      if (attempts.incrementAndGet() == 1) {
        throw new IllegalStateException("first attempt fails");
      }
      retryStarted.countDown();
      failureDelivered.await();
      return JobResult.complete();
    }), SubscriptionOptions.builder().retryBackoff(Duration.ZERO).build()).build().start()) {
      engine.processClient().startProcess(key, Map.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> consumers().size() == 2);
    }
    assertThat(consumers()).extracting(s -> s.getAttributes().get(JobTracing.OUTCOME))
        .containsExactlyInAnyOrder("failed", "completed");
    assertThat(tracing.openSpans()).isZero();
  }

  @Test
  void aReportRetryIsAnEventOfTheAttemptsSpan() {
    String topic = "retried";
    String key = deploy(TestProcess.named("traced-retried").task("t", topic));
    engine.failNext(Operation.COMPLETE, 2, () -> InMemoryEngine.unavailable(Operation.COMPLETE));
    try (JobWorker worker = worker().subscribe(topic, tracing.handler(job -> JobResult.complete()))
        .build().start()) {
      engine.processClient().startProcess(key, Map.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> consumers().size() == 1);
    }
    SpanData span = consumers().get(0);
    assertThat(span.getEvents()).extracting(EventData::getName).containsExactly("report retried", "report retried");
    assertThat(span.getAttributes().get(JobTracing.OUTCOME)).isEqualTo("completed");
  }

  @Test
  void aProcessStartedInsideAHandlerContinuesTheHandlersTrace() {
    String parentTopic = "order";
    String childTopic = "invoice";
    String childKey = deploy(TestProcess.named("traced-child").task("t", childTopic));
    String parentKey = deploy(TestProcess.named("traced-parent").task("t", parentTopic));
    ProcessClient processes = tracing.processClient(engine.processClient());
    try (JobWorker worker = worker()
        .subscribe(parentTopic, tracing.handler(job -> {
          processes.startProcess(childKey, Map.of());
          return JobResult.complete();
        }))
        .subscribe(childTopic, tracing.handler(job -> JobResult.complete()))
        .build().start()) {
      Span root = trace.otel().getTracer("test").spanBuilder("checkout").startSpan();
      try (Scope scope = root.makeCurrent()) {
        processes.startProcess(parentKey, Map.of());
      } finally {
        root.end();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> consumers().size() == 2);
    }
    SpanData order = consumers().stream().filter(s -> s.getName().equals(parentTopic)).findFirst().orElseThrow();
    SpanData invoice = consumers().stream().filter(s -> s.getName().equals(childTopic)).findFirst().orElseThrow();
    assertThat(invoice.getTraceId()).isEqualTo(order.getTraceId());
    assertThat(invoice.getParentSpanId()).isEqualTo(order.getSpanId());
  }

  @Test
  void withoutTheListenerAHandlersSpanEndsWhenItReturns() {
    String topic = "unlistened";
    String key = deploy(TestProcess.named("traced-unlistened").task("t", topic));
    JobTracing alone = JobTracing.create(trace.otel());
    try (JobWorker worker = JobWorker.builder(engine)
        .options(WorkerOptions.builder().emptyPollBackoff(Duration.ofMillis(10), Duration.ofMillis(50)).build())
        .subscribe(topic, alone.handler(job -> JobResult.complete())).build().start()) {
      engine.processClient().startProcess(key, Map.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> consumers().size() == 1);
    }
    assertThat(alone.openSpans()).isZero();
  }

  @Test
  void withoutACurrentSpanNoVariableIsAdded() {
    assertThat(tracing.contextVariables()).isEmpty();
    Span span = trace.otel().getTracer("test").spanBuilder("s").startSpan();
    try (Scope scope = span.makeCurrent()) {
      assertThat(tracing.contextVariables()).containsOnlyKeys("polyworker_traceparent");
      assertThat(tracing.contextVariables().get("polyworker_traceparent"))
          .contains(span.getSpanContext().getTraceId());
    } finally {
      span.end();
    }
  }
}
