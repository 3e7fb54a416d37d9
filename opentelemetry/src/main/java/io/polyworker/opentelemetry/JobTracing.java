package io.polyworker.opentelemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.polyworker.BpmnError;
import io.polyworker.Job;
import io.polyworker.JobHandler;
import io.polyworker.ProcessClient;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerListener;
import io.polyworker.worker.WorkerPlugin;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * OpenTelemetry tracing for Polyworker: a span per job attempt (kind CONSUMER, named after the topic)
 * that is current while the handler runs, and the W3C trace context carried through the process as
 * variables, so that one trace goes from the code that started a process through every service task
 * of that instance, on every engine.
 *
 * <pre>{@code
 * JobTracing tracing = JobTracing.create(openTelemetry);
 * ProcessClient processes = tracing.processClient(engine.processClient()); // writes the context
 * JobWorker worker = JobWorker.builder(engine)
 *     .plugin(tracing)                             // a span around every handler, ended at the engine's answer
 *     .subscribe("charge-card", handler)
 *     .build().start();
 * }</pre>
 *
 * <p>As a {@link WorkerPlugin} it wraps every subscription's handler and listens to the worker;
 * the same by hand is {@code .listener(tracing)} and {@code .subscribe(topic, tracing.handler(h))}.
 *
 * <p><b>Context through the process.</b> {@link #processClient(ProcessClient)} adds the current
 * context, as the configured propagator writes it (W3C {@code traceparent} and {@code tracestate}
 * by default), to the variables of {@code startProcess}, {@code startProcessAndAwait} and
 * {@code publishMessage}: one string variable per field, named {@value #DEFAULT_PREFIX} plus the
 * field ({@code polyworker_traceparent}, {@code polyworker_tracestate}); the prefix is configurable.
 * The same variables on every engine (Zeebe's custom headers belong to the model, not the instance).
 * A handler's span reads them from the job's variables: a subscription that fetches only some
 * variables must include them. A process started inside a handler through the wrapped client
 * continues the handler's trace.
 *
 * <p><b>Spans.</b> Attributes: {@code polyworker.engine}, {@code polyworker.topic},
 * {@code polyworker.job.id}, {@code polyworker.process_instance.id}, {@code polyworker.element.id},
 * {@code polyworker.job.retries} (when the engine gives them) and {@code polyworker.outcome} ({@code completed}, {@code failed}, {@code bpmn_error},
 * {@code terminated}, {@code lock_lost}, {@code already_completed}, {@code report_failed},
 * {@code released}). A handler's exception is recorded and sets the status to ERROR; lock extensions
 * and report retries are span events. The span ends when the engine answered the result (this is
 * why the tracing is also the worker's {@link WorkerListener}); a handler wrapped without the
 * listener ends its span when it returns. No attribute holds a variable value or a secret.
 *
 * <p>Thread-safe; one instance may serve many workers and handlers.
 */
public final class JobTracing implements WorkerListener, WorkerPlugin {
  /** The default prefix of the trace-context variables. */
  public static final String DEFAULT_PREFIX = "polyworker_";
  /** Span attribute {@code polyworker.engine}: the engine id. */
  public static final AttributeKey<String> ENGINE = AttributeKey.stringKey("polyworker.engine");
  /** Span attribute {@code polyworker.topic}: the topic (Zeebe job type). */
  public static final AttributeKey<String> TOPIC = AttributeKey.stringKey("polyworker.topic");
  /** Span attribute {@code polyworker.job.id}: the job id. */
  public static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("polyworker.job.id");
  /** Span attribute {@code polyworker.process_instance.id}: the process (or case) instance id. */
  public static final AttributeKey<String> PROCESS_INSTANCE_ID =
      AttributeKey.stringKey("polyworker.process_instance.id");
  /** Span attribute {@code polyworker.element.id}: the BPMN/CMMN element id. */
  public static final AttributeKey<String> ELEMENT_ID = AttributeKey.stringKey("polyworker.element.id");
  /** Span attribute {@code polyworker.job.retries}: the retries the job had when it was locked. */
  public static final AttributeKey<Long> RETRIES = AttributeKey.longKey("polyworker.job.retries");
  /** Span attribute {@code polyworker.outcome}: how the attempt ended. */
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("polyworker.outcome");

  private static final AttributeKey<Long> ATTEMPT_KEY = AttributeKey.longKey("polyworker.report.attempt");

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final String prefix;
  /**
   * Spans of attempts whose result the engine has not answered yet, by engine and job id, oldest
   * attempt first: the engine may offer a job again (a failure with no retry backoff) before the
   * worker has the answer to the earlier attempt's result, so two attempts of one job can be open
   * at once, and an answer belongs to the oldest. A deque changes only inside the map's compute calls.
   */
  private final ConcurrentMap<String, ArrayDeque<Span>> open = new ConcurrentHashMap<>();
  private volatile boolean listening;

  private JobTracing(OpenTelemetry otel, String prefix) {
    this.tracer = otel.getTracer("io.polyworker");
    this.propagator = otel.getPropagators().getTextMapPropagator();
    this.prefix = prefix;
  }

  /** Tracing with {@code otel}'s tracer and propagator and the variable prefix {@value #DEFAULT_PREFIX}. */
  public static JobTracing create(OpenTelemetry otel) {
    return create(otel, DEFAULT_PREFIX);
  }

  /**
   * Tracing with {@code otel}'s tracer and propagator and the given variable prefix.
   *
   * @throws IllegalArgumentException when the prefix is blank
   */
  public static JobTracing create(OpenTelemetry otel, String variablePrefix) {
    Objects.requireNonNull(otel, "otel");
    if (variablePrefix == null || variablePrefix.isBlank()) {
      throw new IllegalArgumentException("variablePrefix is blank");
    }
    return new JobTracing(otel, variablePrefix);
  }

  /** The current trace context as process variables (empty without a valid current span). */
  public Map<String, String> contextVariables() {
    Map<String, String> variables = new LinkedHashMap<>();
    propagator.inject(Context.current(), variables, (carrier, key, value) -> {
      if (carrier != null) {
        carrier.put(prefix + key, value);
      }
    });
    return variables;
  }

  /** {@code client}, writing the current trace context into every process it starts or message it sends. */
  public ProcessClient processClient(ProcessClient client) {
    return new TracingProcessClient(Objects.requireNonNull(client, "client"), this);
  }

  /** As a plugin: this listener, which ends each span at the engine's answer. */
  @Override
  public WorkerListener listener() {
    return this;
  }

  /** As a plugin: every handler inside a span per attempt, as {@link #handler(JobHandler)}. */
  @Override
  public JobHandler wrap(String topic, JobHandler handler) {
    return handler(handler);
  }

  /**
   * {@code handler} inside a span per attempt whose parent is the context found in the job's
   * variables (or none: a new trace), current while the handler runs.
   */
  public JobHandler handler(JobHandler handler) {
    Objects.requireNonNull(handler, "handler");
    return job -> {
      Span span = start(job);
      String key = key(job.engine(), job.id());
      open.compute(key, (k, spans) -> {
        ArrayDeque<Span> out = spans == null ? new ArrayDeque<>() : spans;
        out.addLast(span);
        return out;
      });
      try (Scope scope = span.makeCurrent()) {
        return handler.handle(job);
      } catch (BpmnError e) {
        throw e; // a business outcome, not an error of the span
      } catch (Exception | Error e) {
        span.recordException(e);
        span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
        throw e;
      } finally {
        if (!listening && remove(key, span)) {
          span.end(); // not the worker's listener: no answer to wait for
        }
      }
    };
  }

  private Span start(Job job) {
    Context parent = propagator.extract(Context.root(), job, new TextMapGetter<Job>() {
      @Override
      public Iterable<String> keys(Job carrier) {
        return List.of();
      }

      @Override
      public @Nullable String get(@Nullable Job carrier, String key) {
        if (carrier == null) {
          return null;
        }
        Object value = carrier.variables().contains(prefix + key) ? carrier.variables().get(prefix + key) : null;
        return value instanceof String s ? s : null;
      }
    });
    var builder = tracer.spanBuilder(job.topic()).setSpanKind(SpanKind.CONSUMER).setParent(parent)
        .setAttribute(ENGINE, job.engine())
        .setAttribute(TOPIC, job.topic())
        .setAttribute(JOB_ID, job.id())
        .setAttribute(PROCESS_INSTANCE_ID, job.processInstanceId())
        .setAttribute(ELEMENT_ID, job.elementId());
    Integer retries = job.retries();
    if (retries != null) {
      builder.setAttribute(RETRIES, retries.longValue());
    }
    return builder.startSpan();
  }

  /** Ends each attempt's span at the engine's answer and adds lock and report events. */
  @Override
  public void onEvent(WorkerEvent e) {
    listening = true;
    if (e.jobId() == null) {
      return;
    }
    String key = key(e.engine(), e.jobId());
    switch (e.type()) {
      case COMPLETED -> end(key, "completed");
      case FAILED -> end(key, "failed");
      case BPMN_ERROR -> end(key, "bpmn_error");
      case TERMINATED -> end(key, "terminated");
      case LOCK_LOST -> end(key, "lock_lost");
      case ALREADY_COMPLETED -> end(key, "already_completed");
      case REPORT_FAILED -> end(key, "report_failed");
      case RELEASED -> end(key, "released");
      case LOCK_EXTENDED -> event(key, "lock extended");
      case REPORT_RETRIED -> {
        Span span = oldest(key);
        if (span != null) {
          span.addEvent("report retried", io.opentelemetry.api.common.Attributes.of(ATTEMPT_KEY,
              (long) e.count()));
        }
      }
      default -> { }
    }
  }

  private void end(String key, String outcome) {
    Span span = removeOldest(key);
    if (span != null) {
      span.setAttribute(OUTCOME, outcome);
      span.end();
    }
  }

  private void event(String key, String name) {
    Span span = oldest(key);
    if (span != null) {
      span.addEvent(name);
    }
  }

  private static String key(String engine, String jobId) {
    return engine + '\u0000' + jobId;
  }

  private @Nullable Span oldest(String key) {
    Span[] found = new Span[1];
    open.computeIfPresent(key, (k, spans) -> {
      found[0] = spans.peekFirst();
      return spans;
    });
    return found[0];
  }

  private @Nullable Span removeOldest(String key) {
    Span[] found = new Span[1];
    open.computeIfPresent(key, (k, spans) -> {
      found[0] = spans.pollFirst();
      return spans.isEmpty() ? null : spans;
    });
    return found[0];
  }

  private boolean remove(String key, Span span) {
    boolean[] removed = new boolean[1];
    open.computeIfPresent(key, (k, spans) -> {
      removed[0] = spans.remove(span);
      return spans.isEmpty() ? null : spans;
    });
    return removed[0];
  }

  /** Spans still waiting for the engine's answer; for tests. */
  int openSpans() {
    return open.values().stream().mapToInt(ArrayDeque::size).sum();
  }
}
