package io.polyworker.units;

import io.polyworker.PolyworkerException;

/**
 * The {@link EmailUnit} could not hand a message to the SMTP server: the server was unreachable or
 * too slow, refused the login, or answered a command with an error. Thrown from
 * {@link EmailUnit#handle}, so the job fails with the runtime's retries and backoff.
 *
 * <p>{@link #status()} is the SMTP reply code (such as 421 or 554), {@code -1} when the server never
 * answered. {@link #isRetryable()} is true for failures that may pass unchanged later (no answer,
 * time-outs, 4xx replies). The message names the server, the kind of failure and the reply code,
 * never the server's reply text nor the exception from Jakarta Mail, because both usually repeat the
 * recipients' addresses.
 */
public class MailDeliveryException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;

  /**
   * @param replyCode the SMTP reply code, {@code -1} without an answer
   * @param detail what went wrong, without addresses or message content
   * @param retryable whether the same message may go through later
   */
  public MailDeliveryException(int replyCode, String detail, boolean retryable) {
    super(null, "SMTP send", replyCode, null, detail, null);
    this.retryable = retryable;
  }

  @Override
  public boolean isRetryable() {
    return retryable;
  }
}
