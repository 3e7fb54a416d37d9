package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * The engine could not be reached or answered with a server error (I/O error, timeout, HTTP 5xx,
 * gRPC UNAVAILABLE or DEADLINE_EXCEEDED, Camunda's optimistic-locking conflicts). Transient:
 * {@link #isRetryable()} is true, and the worker runtime retries with backoff.
 */
public class EngineUnavailableException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  /** See {@link PolyworkerException#PolyworkerException(String, String, int, String, String, Throwable)}. */
  public EngineUnavailableException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(engine, operation, status, answer, detail, cause);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
