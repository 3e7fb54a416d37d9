package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * The engine answered something Polyworker cannot read: not JSON, truncated, missing a required field,
 * or of an unexpected shape. {@link #answerExcerpt()} shows the start of what came back.
 */
public class MalformedAnswerException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  /** See {@link PolyworkerException#PolyworkerException(String, String, int, String, String, Throwable)}. */
  public MalformedAnswerException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(engine, operation, status, answer, detail, cause);
  }

}
