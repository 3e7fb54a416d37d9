package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * A variable could not be read or written: a value of a type that is never decoded (Java-serialized
 * objects), a value that cannot be converted to the requested type, or a result value that cannot be
 * serialized for the engine. The message names the variable.
 */
public class VariableException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  /** See {@link PolyworkerException#PolyworkerException(String, String, int, String, String, Throwable)}. */
  public VariableException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(engine, operation, status, answer, detail, cause);
  }

  /** A variable error found locally, before or after any engine call. */
  public VariableException(String detail, @Nullable Throwable cause) {
    super(null, null, -1, null, detail, cause);
  }

}
