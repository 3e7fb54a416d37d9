package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * A job arrived for which no handler is subscribed. The runtime releases such a job at once.
 */
public class NoHandlerException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  /** See {@link PolyworkerException#PolyworkerException(String, String, int, String, String, Throwable)}. */
  public NoHandlerException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(engine, operation, status, answer, detail, cause);
  }

}
