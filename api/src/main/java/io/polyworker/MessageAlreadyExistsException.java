package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * A message with the same id was already published and still lives: buffered in the engine (Zeebe),
 * or, on engines without buffering, remembered by this client for the message's time to live.
 */
public class MessageAlreadyExistsException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  /** See {@link PolyworkerException#PolyworkerException(String, String, int, String, String, Throwable)}. */
  public MessageAlreadyExistsException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(engine, operation, status, answer, detail, cause);
  }

}
