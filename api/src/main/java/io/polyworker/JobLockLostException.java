package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * The job's lock is no longer held by this worker: it expired and another worker took the job, or the
 * engine removed it. The result of this worker was not applied; the job will run (or ran) elsewhere.
 * Subtype of {@link NotFoundException} because several engines cannot tell the two apart.
 */
public class JobLockLostException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  /** See {@link PolyworkerException#PolyworkerException(String, String, int, String, String, Throwable)}. */
  public JobLockLostException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(engine, operation, status, answer, detail, cause);
  }

}
