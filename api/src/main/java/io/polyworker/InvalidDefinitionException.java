package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * The engine rejected a deployed resource; {@link #detail()} carries the engine's own parse message.
 */
public class InvalidDefinitionException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  /** See {@link PolyworkerException#PolyworkerException(String, String, int, String, String, Throwable)}. */
  public InvalidDefinitionException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(engine, operation, status, answer, detail, cause);
  }

}
