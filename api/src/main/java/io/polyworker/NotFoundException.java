package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * The process definition, process instance or job named in the request does not exist (any more).
 */
public class NotFoundException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  /** See {@link PolyworkerException#PolyworkerException(String, String, int, String, String, Throwable)}. */
  public NotFoundException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(engine, operation, status, answer, detail, cause);
  }

}
