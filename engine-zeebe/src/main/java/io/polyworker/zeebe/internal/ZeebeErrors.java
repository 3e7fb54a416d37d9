package io.polyworker.zeebe.internal;

import io.camunda.client.api.CamundaFuture;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.polyworker.AuthenticationException;
import io.polyworker.BackPressureException;
import io.polyworker.EngineUnavailableException;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.JobAlreadyCompletedException;
import io.polyworker.JobLockLostException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ResultRejectedException;
import io.polyworker.zeebe.ZeebeEngine;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Turns what the gRPC client throws into Polyworker's exception hierarchy, keeping the gRPC status
 * code number as {@link PolyworkerException#status()} and the gateway's description as the answer
 * excerpt.
 *
 * <p>Job results: the gateway answers NOT_FOUND when the job no longer exists (completed, failed
 * into an incident, its instance cancelled) and FAILED_PRECONDITION when it exists in a state that
 * takes no result (failed and waiting for its retry backoff, or an error was thrown). Zeebe never
 * rejects a result because another worker activated the job meanwhile. So NOT_FOUND becomes
 * {@link JobAlreadyCompletedException} (the job is gone; whether another worker or the model ended it
 * cannot be told) and FAILED_PRECONDITION {@link JobLockLostException} (the job lives on and will run
 * again, without this worker's result). INVALID_ARGUMENT on a result (complete, fail, bpmnError) is a
 * {@link ResultRejectedException}: the gateway refused what the command carries (a standalone 8.8
 * gateway: "Property 'variables' is invalid: Expected document to be a root level object"), and the
 * same command cannot succeed later; on any other operation it stays a plain exception.
 *
 * <p>CANCELLED, INTERNAL and UNKNOWN (next to UNAVAILABLE, DEADLINE_EXCEEDED and ABORTED) are
 * {@link EngineUnavailableException}s, retryable on every operation: the call broke somewhere between
 * client, gateway and broker, and whether the command was applied is not known. Sending a result again
 * is safe enough on Zeebe, because a job takes one result only: a complete or error repeated after the
 * first one was applied answers NOT_FOUND ({@link JobAlreadyCompletedException}), a repeated fail
 * answers FAILED_PRECONDITION while the job waits for its backoff or sits in an incident; neither
 * applies anything twice. The one gap: a fail without backoff whose job another worker activated
 * before the repeat reaches the broker fails that worker's activation too (with the same retries, as
 * Zeebe checks no ownership). An interrupt while awaiting the gateway's answer is an
 * {@link EngineUnavailableException} too (the outcome is as unknown; the runtime decides what to do).
 * A failure inside the client that carries no gRPC status at all, which {@code Status.fromThrowable}
 * also calls UNKNOWN, stays a plain exception: nothing was sent. On the in-memory engine of
 * {@code zeebe-process-test}, a result too large for the log answers UNKNOWN "Command 'COMPLETE'
 * rejected with code 'EXCEEDED_BATCH_RECORD_SIZE'", and one over the gateway's 4 MiB message limit
 * RESOURCE_EXHAUSTED "gRPC message exceeds maximum size": both are retried like the rest, until the
 * runtime's report retry timeout ends.
 */
final class ZeebeErrors {
  private ZeebeErrors() {}

  /** The operations that carry a result whose content the gateway may refuse. */
  static boolean carriesResult(String operation) {
    switch (operation) {
      case "complete":
      case "fail":
      case "bpmnError":
        return true;
      default:
        return false;
    }
  }

  /** The operations whose target is a job this worker holds. */
  static boolean isJobResult(String operation) {
    switch (operation) {
      case "complete":
      case "fail":
      case "bpmnError":
      case "release":
        return true;
      default:
        return false;
    }
  }

  /** Maps any failure of {@code operation}; never returns null. */
  static PolyworkerException map(Gateway gateway, String operation, Throwable error) {
    Throwable t = unwrap(error);
    if (t instanceof PolyworkerException p) {
      return p;
    }
    OAuthClientCredentials.TokenRequestException token = findTokenFailure(t);
    if (token != null) {
      return new AuthenticationException(ZeebeEngine.ID, operation, token.httpStatus(),
          token.answer(), token.getMessage(), t);
    }
    Status status = Status.fromThrowable(t);
    Status.Code code = status.getCode();
    String description = status.getDescription();
    String detail = "gRPC " + code + (description == null ? describe(t) : ": " + description);
    int number = code.value();
    switch (code) {
      case NOT_FOUND:
        if (isJobResult(operation)) {
          return new JobAlreadyCompletedException(ZeebeEngine.ID, operation, number, description,
              detail, t);
        }
        return new NotFoundException(ZeebeEngine.ID, operation, number, description, detail, t);
      case FAILED_PRECONDITION:
        if (isJobResult(operation)) {
          return new JobLockLostException(ZeebeEngine.ID, operation, number, description, detail, t);
        }
        return new PolyworkerException(ZeebeEngine.ID, operation, number, description, detail, t);
      case RESOURCE_EXHAUSTED:
        return new BackPressureException(ZeebeEngine.ID, operation, number, description, detail, t);
      case UNAVAILABLE:
        return new EngineUnavailableException(ZeebeEngine.ID, operation, number, description,
            detail + "; " + gateway.unreachable(t), t);
      case DEADLINE_EXCEEDED:
      case ABORTED:
        return new EngineUnavailableException(ZeebeEngine.ID, operation, number, description, detail,
            t);
      case CANCELLED:
      case INTERNAL:
      case UNKNOWN:
        if (!hasGrpcStatus(t)) {
          // A local failure of the client (Status.fromThrowable makes it UNKNOWN): not transport.
          return new PolyworkerException(ZeebeEngine.ID, operation, number, description, detail, t);
        }
        if (gateway.isWrongServer(t)) {
          // INTERNAL "http2 exception": something that does not speak HTTP/2 answered.
          detail = detail + "; " + gateway.unreachable(t);
        }
        return new EngineUnavailableException(ZeebeEngine.ID, operation, number, description, detail,
            t);
      case INVALID_ARGUMENT:
        if (operation.equals("deploy")) {
          return new InvalidDefinitionException(ZeebeEngine.ID, operation, number, description,
              description == null ? detail : description, t);
        }
        if (carriesResult(operation)) {
          return new ResultRejectedException(ZeebeEngine.ID, operation, number, description, detail, t);
        }
        return new PolyworkerException(ZeebeEngine.ID, operation, number, description, detail, t);
      case UNAUTHENTICATED:
      case PERMISSION_DENIED:
        return new AuthenticationException(ZeebeEngine.ID, operation, number, description, detail, t);
      default:
        return new PolyworkerException(ZeebeEngine.ID, operation, number, description, detail, t);
    }
  }

  /** A command ready to be sent: {@code command::send}. */
  interface Command<T> {
    CamundaFuture<T> send();
  }

  /** Sends a command; what the client throws while sending is mapped like a failed call. */
  static <T> CamundaFuture<T> send(Gateway gateway, String operation, Command<T> command) {
    try {
      return command.send();
    } catch (PolyworkerException e) {
      throw e;
    } catch (RuntimeException e) {
      throw map(gateway, operation, e);
    }
  }

  /** Sends a command and waits for its answer: {@link #send} and then {@link #await(String, Future)}. */
  static <T> T execute(Gateway gateway, String operation, Command<T> command) {
    return await(gateway, operation, send(gateway, operation, command));
  }

  /**
   * Waits for a command's future and maps its failure. An interrupt cancels the call, restores the
   * interrupt flag and raises an {@link EngineUnavailableException} saying "interrupted": whether the
   * engine applied the command is then unknown, and the caller decides whether to send it again.
   */
  static <T> T await(Gateway gateway, String operation, Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      throw interrupted(operation, future, e);
    } catch (ExecutionException | CancellationException e) {
      throw map(gateway, operation, e);
    } catch (RuntimeException e) {
      throw map(gateway, operation, e);
    }
  }

  /** As {@link #await(String, Future)}, giving up after {@code timeout} (the call is left running). */
  static <T> T await(Gateway gateway, String operation, Future<T> future, java.time.Duration timeout)
      throws TimeoutException {
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      throw interrupted(operation, future, e);
    } catch (ExecutionException | CancellationException e) {
      throw map(gateway, operation, e);
    }
  }

  private static EngineUnavailableException interrupted(String operation, Future<?> future,
      InterruptedException e) {
    future.cancel(true);
    Thread.currentThread().interrupt();
    return new EngineUnavailableException(ZeebeEngine.ID, operation, -1, null,
        "interrupted while waiting for the gateway; the command may or may not have been applied", e);
  }

  private static boolean hasGrpcStatus(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StatusRuntimeException || c instanceof StatusException) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return message == null ? " (" + t.getClass().getName() + ")" : ": " + message;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof ExecutionException || t instanceof CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static OAuthClientCredentials.@Nullable TokenRequestException findTokenFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof OAuthClientCredentials.TokenRequestException e) {
        return e;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  /**
   * The gateway a client talks to, for messages: its address and whether the client uses TLS. An
   * UNAVAILABLE answer says only "io exception"; what the user needs is where the client tried to go
   * and why that usually fails.
   */
  record Gateway(String address, boolean plaintext) {
    static Gateway of(ZeebeSettings settings) {
      return new Gateway(ZeebeSettings.withoutUserInfo(settings.grpcAddress().toString()),
          settings.plaintext());
    }

    /** Whether the cause chain shows a server that does not speak gRPC's HTTP/2 (an HTTP/1.1 port). */
    boolean isWrongServer(Throwable t) {
      for (Throwable c = t; c != null; c = c.getCause()) {
        String message = String.valueOf(c.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (message.contains("first received frame was not settings") || message.contains("485454502f")) {
          return true;
        }
        if (c.getCause() == c) {
          break;
        }
      }
      return false;
    }

    /** Where the client tried to go, what the cause chain says, and the likely causes. */
    String unreachable(Throwable t) {
      String transport = plaintext ? "plaintext" : "TLS";
      String other = plaintext ? "TLS" : "plaintext";
      StringBuilder sb = new StringBuilder("no Zeebe gateway answered at ").append(address)
          .append(" (gRPC over ").append(transport).append(')');
      Throwable root = t;
      boolean refused = false;
      boolean tls = false;
      boolean http1 = false;
      boolean tlsRecord = false;
      for (Throwable c = t; c != null; c = c.getCause()) {
        root = c;
        String name = c.getClass().getName();
        String message = String.valueOf(c.getMessage()).toLowerCase(java.util.Locale.ROOT);
        refused |= c instanceof java.net.ConnectException || message.contains("connection refused");
        tls |= c instanceof javax.net.ssl.SSLException || name.contains("Ssl")
            || message.contains("ssl") || message.contains("tls");
        http1 |= message.contains("485454502f") || message.contains("http/1");
        // A TLS record (handshake 0x16 or alert 0x15, version 3.x) where an HTTP/2 frame was due.
        tlsRecord |= message.matches("(?s).*first 5 bytes: 1[56]03.*");
        if (c.getCause() == c) {
          break;
        }
      }
      if (root != t && root.getMessage() != null) {
        sb.append(": ").append(root.getClass().getSimpleName()).append(": ")
            .append(PolyworkerException.excerpt(root.getMessage()));
      }
      if (refused) {
        sb.append("; nothing is listening there: check host and port (the gateway's gRPC port is"
            + " 26500 by default)");
      } else if (tls) {
        sb.append("; the TLS handshake failed: ").append(plaintext
            ? "the gateway expects TLS, use an https:// address"
            : "the gateway is probably plaintext, use an http:// address (or setting "
                + ZeebeEngine.PLAINTEXT + "=true)");
      } else if (tlsRecord) {
        sb.append("; a TLS server answered: the gateway expects TLS, use an https:// address (and"
            + " no plaintext())");
      } else if (http1) {
        sb.append("; an HTTP/1.1 server answered: this is probably the REST port (8080, 8088)"
            + " instead of the gateway's gRPC port (26500 by default)");
      } else {
        sb.append("; likely causes: nothing is listening there; ").append(transport).append(" against"
            + " a ").append(other).append(" gateway (http:// means plaintext, https:// TLS, setting ")
            .append(ZeebeEngine.PLAINTEXT).append("); the REST port (8080, 8088) instead of the"
            + " gRPC port (26500 by default)");
      }
      return sb.toString();
    }
  }
}
