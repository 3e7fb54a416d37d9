package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * The job was already completed (or failed, or otherwise ended) and cannot take another result.
 */
public class JobAlreadyCompletedException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  /** See {@link PolyworkerException#PolyworkerException(String, String, int, String, String, Throwable)}. */
  public JobAlreadyCompletedException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(engine, operation, status, answer, detail, cause);
  }

}
