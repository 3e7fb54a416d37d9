package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * Root of every exception Polyworker raises. Unchecked.
 *
 * <p>Each instance says which engine ({@link #engine()}), which operation ({@link #operation()}),
 * the engine's status ({@link #status()}: HTTP status, gRPC status code, or {@code -1} when the
 * engine never answered) and an excerpt of the engine's answer ({@link #answerExcerpt()}, at most
 * {@value #MAX_EXCERPT} characters). Subtypes name the situations a caller can act on; catch this type
 * for everything else.
 *
 * <p>{@link #isRetryable()} is {@code true} for failures that may succeed when the same request is
 * sent again unchanged (engine unreachable, 5xx, back pressure, optimistic-locking conflicts).
 */
public class PolyworkerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Maximum length of {@link #answerExcerpt()}. */
  public static final int MAX_EXCERPT = 500;

  private final @Nullable String engine;
  private final @Nullable String operation;
  private final int status;
  private final @Nullable String answerExcerpt;
  private final String detail;

  /** An error not tied to an engine call (configuration, usage). */
  public PolyworkerException(String message) {
    this(null, null, -1, null, message, null);
  }

  /** An error not tied to an engine call, with its cause. */
  public PolyworkerException(String message, @Nullable Throwable cause) {
    this(null, null, -1, null, message, cause);
  }

  /**
   * @param engine engine id such as {@code camunda}, or null when no engine is involved
   * @param operation what was attempted, such as {@code complete} or {@code fetchAndLock}
   * @param status HTTP or gRPC status, {@code -1} when there was no answer
   * @param answer the engine's answer body (cut to {@value #MAX_EXCERPT} characters), or null
   * @param detail what went wrong, in words
   * @param cause the underlying exception, or null
   */
  public PolyworkerException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(compose(engine, operation, status, detail), cause);
    this.engine = engine;
    this.operation = operation;
    this.status = status;
    this.answerExcerpt = excerpt(answer);
    this.detail = detail;
  }

  private static String compose(@Nullable String engine, @Nullable String operation, int status,
      String detail) {
    StringBuilder sb = new StringBuilder();
    if (engine != null) {
      sb.append('[').append(engine).append("] ");
    }
    if (operation != null) {
      sb.append(operation).append(" failed");
      if (status >= 0) {
        sb.append(" (status ").append(status).append(')');
      }
      sb.append(": ");
    }
    return sb.append(detail).toString();
  }

  /** Cuts an engine answer to {@value #MAX_EXCERPT} characters; null stays null. */
  public static @Nullable String excerpt(@Nullable String answer) {
    if (answer == null) {
      return null;
    }
    String trimmed = answer.strip();
    return trimmed.length() <= MAX_EXCERPT ? trimmed : trimmed.substring(0, MAX_EXCERPT) + "…";
  }

  /** The engine id ({@code camunda}, {@code flowable}, {@code zeebe}), or null. */
  public @Nullable String engine() {
    return engine;
  }

  /** The operation that failed, such as {@code complete}, or null. */
  public @Nullable String operation() {
    return operation;
  }

  /** HTTP status or gRPC status code number; {@code -1} when the engine did not answer. */
  public int status() {
    return status;
  }

  /** The start of the engine's answer, or null when there was none. */
  public @Nullable String answerExcerpt() {
    return answerExcerpt;
  }

  /** The message without engine and operation prefix. */
  public String detail() {
    return detail;
  }

  /** Whether sending the same request again may succeed. */
  public boolean isRetryable() {
    return false;
  }
}
