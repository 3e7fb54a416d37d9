package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * The engine refused the request because it is overloaded (gRPC RESOURCE_EXHAUSTED, HTTP 429 or 503
 * with back-pressure semantics). Retryable after a backoff, like every {@link EngineUnavailableException}.
 */
public class BackPressureException extends EngineUnavailableException {
  private static final long serialVersionUID = 1L;

  /** See {@link PolyworkerException#PolyworkerException(String, String, int, String, String, Throwable)}. */
  public BackPressureException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(engine, operation, status, answer, detail, cause);
  }
}
