package io.polyworker.units.internal;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.util.MailConnectException;

/**
 * Sorts what Jakarta Mail (Eclipse Angus) threw while sending into the few kinds a process cares
 * about. Reads exception types and SMTP reply codes, and passes on neither messages, which repeat
 * addresses, nor the exceptions themselves; the one failure Angus gives no type of its own (STARTTLS
 * required but not offered) is recognised by its text.
 */
public final class SmtpFailures {
  private SmtpFailures() {}

  /**
   * One classified failure.
   *
   * @param kind short words for logs and the job's error message, without addresses
   * @param replyCode the SMTP reply code, {@code -1} without an answer
   * @param recipientRejected the server refused a recipient for good (5xx on RCPT)
   * @param retryable sending the same message later may work
   */
  public record Failure(String kind, int replyCode, boolean recipientRejected, boolean retryable) {}

  /** Classifies {@code e}, looking through its nested exceptions. */
  public static Failure classify(MessagingException e) {
    List<Throwable> chain = chain(e);
    boolean deferredRecipient = false;
    int deferredCode = -1;
    for (Throwable t : chain) {
      if (t instanceof SMTPAddressFailedException a) {
        if (permanent(a.getReturnCode())) {
          return new Failure("the server rejected a recipient", a.getReturnCode(), true, false);
        }
        deferredRecipient = true;
        deferredCode = a.getReturnCode();
      }
    }
    if (deferredRecipient) {
      return new Failure("the server deferred a recipient", deferredCode, false, true);
    }
    for (Throwable t : chain) {
      if (t instanceof AuthenticationFailedException) {
        return new Failure("the server refused the login", -1, false, false);
      }
      if (t instanceof SMTPSenderFailedException s) {
        return reply("the server refused the sender", s.getReturnCode());
      }
      if (t instanceof SMTPSendFailedException s) {
        return reply("the server refused the message", s.getReturnCode());
      }
    }
    if (e instanceof SendFailedException s && s.getInvalidAddresses() != null
        && s.getInvalidAddresses().length > 0) {
      return new Failure("a recipient address is invalid", -1, true, false);
    }
    for (Throwable t : chain) {
      if (t instanceof SocketTimeoutException) {
        return new Failure("timed out", -1, false, true);
      }
      if (t instanceof UnknownHostException) {
        return new Failure("unknown host", -1, false, true);
      }
      if (t instanceof MailConnectException || t instanceof ConnectException) {
        return new Failure("cannot connect", -1, false, true);
      }
      if (t instanceof SSLException) {
        return new Failure("TLS failed (" + t.getClass().getSimpleName() + ")", -1, false, false);
      }
    }
    if (e.getClass() == MessagingException.class && e.getMessage() != null
        && e.getMessage().contains("STARTTLS")) {
      // Angus raises a plain MessagingException when STARTTLS is required and not offered.
      return new Failure("the server does not offer STARTTLS", -1, false, false);
    }
    for (Throwable t : chain) {
      if (t instanceof IOException) {
        return new Failure("I/O error (" + t.getClass().getSimpleName() + ")", -1, false, true);
      }
    }
    return new Failure("SMTP error (" + e.getClass().getSimpleName() + ")", -1, false, true);
  }

  private static Failure reply(String kind, int code) {
    return new Failure(kind, code, false, !permanent(code));
  }

  private static boolean permanent(int code) {
    return code >= 500 && code < 600;
  }

  /** {@code e}, its causes and the nested exceptions of every {@link MessagingException}. */
  private static List<Throwable> chain(Throwable e) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    List<Throwable> chain = new ArrayList<>();
    List<Throwable> todo = new ArrayList<>(List.of(e));
    while (!todo.isEmpty() && chain.size() < 32) {
      Throwable t = todo.remove(0);
      if (seen.put(t, Boolean.TRUE) != null) {
        continue;
      }
      chain.add(t);
      if (t instanceof MessagingException m && m.getNextException() != null) {
        todo.add(m.getNextException());
      }
      if (t.getCause() != null) {
        todo.add(t.getCause());
      }
    }
    return chain;
  }
}
