package io.polyworker;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a handler's work on a job ended. Immutable and thread-safe; made by the static factories.
 *
 * <p>Variables are copied at creation. Their values may be anything the engine module can encode:
 * strings, numbers, booleans, dates ({@link java.time.Instant}, {@link java.util.Date},
 * {@link java.time.OffsetDateTime}), {@code byte[]}, {@code null}, maps, lists and POJOs (sent as JSON
 * through Jackson). A value that cannot be encoded fails the job with the reason instead of being
 * dropped.
 */
public final class JobResult {

  /** The kinds of result. */
  public enum Kind {
    /** The work is done; the process moves on. */
    COMPLETE,
    /** The work failed; the engine retries it later or raises an incident when no retries are left. */
    FAIL,
    /** A business error the model may catch with an error event. */
    BPMN_ERROR,
    /** CMMN only (Flowable): terminate the plan item. */
    TERMINATE
  }

  private static final JobResult COMPLETE_EMPTY =
      new JobResult(Kind.COMPLETE, Map.of(), Map.of(), null, null, null, null, null);

  private final Kind kind;
  private final Map<String, @Nullable Object> variables;
  private final Map<String, @Nullable Object> localVariables;
  private final @Nullable String errorCode;
  private final @Nullable String errorMessage;
  private final @Nullable String errorDetails;
  private final @Nullable Integer retries;
  private final @Nullable Duration retryBackoff;

  private JobResult(Kind kind, Map<String, @Nullable Object> variables,
      Map<String, @Nullable Object> localVariables, @Nullable String errorCode,
      @Nullable String errorMessage, @Nullable String errorDetails, @Nullable Integer retries,
      @Nullable Duration retryBackoff) {
    this.kind = kind;
    this.variables = variables;
    this.localVariables = localVariables;
    this.errorCode = errorCode;
    this.errorMessage = errorMessage;
    this.errorDetails = errorDetails;
    this.retries = retries;
    this.retryBackoff = retryBackoff;
  }

  /** Completes the job without variables. */
  public static JobResult complete() {
    return COMPLETE_EMPTY;
  }

  /** Completes the job and sets {@code variables} in the process instance. */
  public static JobResult complete(Map<String, ? extends @Nullable Object> variables) {
    return complete(variables, Map.of());
  }

  /**
   * Completes the job, setting {@code variables} in the process instance and {@code localVariables}
   * in the scope of the task only. Local variables need an engine that supports them (Camunda 7);
   * elsewhere the report fails with a clear {@link PolyworkerException}.
   */
  public static JobResult complete(Map<String, ? extends @Nullable Object> variables,
      Map<String, ? extends @Nullable Object> localVariables) {
    return new JobResult(Kind.COMPLETE, copy(variables, "variables"),
        copy(localVariables, "localVariables"), null, null, null, null, null);
  }

  /**
   * Fails the job with the subscription's defaults: retries − 1 (starting from
   * {@link SubscriptionOptions#defaultRetries()} where the engine has none yet) and
   * {@link SubscriptionOptions#retryBackoff()}.
   */
  public static JobResult fail(String errorMessage) {
    return new JobResult(Kind.FAIL, Map.of(), Map.of(), null,
        Objects.requireNonNull(errorMessage, "errorMessage"), null, null, null);
  }

  /**
   * Fails the job with explicit retries and backoff.
   *
   * @param errorMessage short description shown in the engine's cockpit
   * @param errorDetails longer text such as a stack trace, or null
   * @param retries retries left after this failure; 0 raises an incident (Camunda, Zeebe) or moves
   *     the job to the dead-letter queue (Flowable)
   * @param retryBackoff how long the engine waits before offering the job again
   */
  public static JobResult fail(String errorMessage, @Nullable String errorDetails, int retries,
      Duration retryBackoff) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries < 0");
    }
    Objects.requireNonNull(retryBackoff, "retryBackoff");
    if (retryBackoff.isNegative()) {
      throw new IllegalArgumentException("retryBackoff < 0");
    }
    return new JobResult(Kind.FAIL, Map.of(), Map.of(), null,
        Objects.requireNonNull(errorMessage, "errorMessage"), errorDetails, retries, retryBackoff);
  }

  /** Raises a BPMN error with this code and message. */
  public static JobResult bpmnError(String errorCode, String errorMessage) {
    return bpmnError(errorCode, errorMessage, Map.of());
  }

  /** Raises a BPMN error and sets {@code variables} where the error is caught. */
  public static JobResult bpmnError(String errorCode, @Nullable String errorMessage,
      Map<String, ? extends @Nullable Object> variables) {
    if (errorCode == null || errorCode.isBlank()) {
      throw new IllegalArgumentException("errorCode is blank");
    }
    return new JobResult(Kind.BPMN_ERROR, copy(variables, "variables"), Map.of(), errorCode,
        errorMessage, null, null, null);
  }

  /** CMMN (Flowable): terminates the plan item that created the job. */
  public static JobResult terminate() {
    return terminate(Map.of());
  }

  /** CMMN (Flowable): terminates the plan item and sets {@code variables} in the case. */
  public static JobResult terminate(Map<String, ? extends @Nullable Object> variables) {
    return new JobResult(Kind.TERMINATE, copy(variables, "variables"), Map.of(), null, null, null,
        null, null);
  }

  static Map<String, @Nullable Object> copy(@Nullable Map<String, ? extends @Nullable Object> source,
      String what) {
    if (source == null || source.isEmpty()) {
      return Map.of();
    }
    Map<String, @Nullable Object> copy = new LinkedHashMap<>();
    source.forEach((name, value) -> {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException(what + " contains a blank name");
      }
      copy.put(name, value);
    });
    return Collections.unmodifiableMap(copy);
  }

  /** The kind of result. */
  public Kind kind() {
    return kind;
  }

  /** Process (or case) variables to set; empty when none. */
  public Map<String, @Nullable Object> variables() {
    return variables;
  }

  /** Task-local variables to set (complete only); empty when none. */
  public Map<String, @Nullable Object> localVariables() {
    return localVariables;
  }

  /** BPMN error code, for {@link Kind#BPMN_ERROR}. */
  public @Nullable String errorCode() {
    return errorCode;
  }

  /** Error message, for {@link Kind#FAIL} and {@link Kind#BPMN_ERROR}. */
  public @Nullable String errorMessage() {
    return errorMessage;
  }

  /** Error details, for {@link Kind#FAIL}. */
  public @Nullable String errorDetails() {
    return errorDetails;
  }

  /** Retries left after a failure; null means "the subscription's default". */
  public @Nullable Integer retries() {
    return retries;
  }

  /** Backoff before the retry; null means "the subscription's default". */
  public @Nullable Duration retryBackoff() {
    return retryBackoff;
  }

  /** A failure with retries and backoff filled in; used by the runtime. */
  public JobResult withFailureDefaults(int defaultRetries, Duration defaultBackoff) {
    if (kind != Kind.FAIL || (retries != null && retryBackoff != null)) {
      return this;
    }
    return new JobResult(kind, variables, localVariables, errorCode, errorMessage, errorDetails,
        retries != null ? retries : defaultRetries,
        retryBackoff != null ? retryBackoff : defaultBackoff);
  }

  /** A failure with error details; used by the runtime to attach stack traces. */
  public JobResult withErrorDetails(@Nullable String details) {
    return new JobResult(kind, variables, localVariables, errorCode, errorMessage, details, retries,
        retryBackoff);
  }

  @Override
  public String toString() {
    switch (kind) {
      case FAIL:
        return "JobResult[FAIL " + errorMessage + ", retries=" + retries + ", backoff=" + retryBackoff
            + "]";
      case BPMN_ERROR:
        return "JobResult[BPMN_ERROR " + errorCode + ", variables=" + variables.keySet() + "]";
      default:
        return "JobResult[" + kind + ", variables=" + variables.keySet()
            + (localVariables.isEmpty() ? "" : ", localVariables=" + localVariables.keySet()) + "]";
    }
  }
}
