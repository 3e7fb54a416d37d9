package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * The engine refused the content of a job result for good: a variable it cannot store, a result
 * kind the job does not take (a CMMN terminate of a BPMN job), a request the engine declares
 * invalid. Sending the same result again cannot succeed, so the worker runtime fails the job with
 * this reason instead (the failure then shows in the engine, and ends in an incident once its
 * retries are used up).
 *
 * <p>Only this type (and {@link VariableException}, for values that cannot be written at all) turns a
 * result into a failure. Authentication, transport, timeout and server errors on a report are retried
 * by the runtime within {@link WorkerOptions#reportRetryTimeout()}.
 */
public class ResultRejectedException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  /** See {@link PolyworkerException#PolyworkerException(String, String, int, String, String, Throwable)}. */
  public ResultRejectedException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(engine, operation, status, answer, detail, cause);
  }
}
