package io.polyworker.worker.internal;

import io.polyworker.Backoff;
import static io.polyworker.WorkerEvent.Type.ALREADY_COMPLETED;
import static io.polyworker.WorkerEvent.Type.BPMN_ERROR;
import static io.polyworker.WorkerEvent.Type.COMPLETED;
import static io.polyworker.WorkerEvent.Type.FAILED;
import static io.polyworker.WorkerEvent.Type.REPORT_FAILED;
import static io.polyworker.WorkerEvent.Type.REPORT_RETRIED;
import static io.polyworker.WorkerEvent.Type.TERMINATED;

import io.polyworker.JobLockLostException;
import io.polyworker.JobResult;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ResultRejectedException;
import io.polyworker.VariableException;
import io.polyworker.WorkerOptions;
import io.polyworker.spi.LockedJob;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Reports a job's result to the engine, while the job's lock is still kept: on an engine-call thread
 * once its slot went to the next job, or on the handler's thread with the slot
 * ({@link SubscriptionRunner#detachReport}).
 *
 * <p>How each answer is treated:
 * <ul>
 *   <li>the lock is gone ({@link JobLockLostException}): LOCK_LOST, once per lock;
 *   <li>the job is gone ({@link NotFoundException}): ALREADY_COMPLETED;
 *   <li>the engine refused the result's content for good ({@link ResultRejectedException},
 *       {@link VariableException}, or a result kind the engine lacks): the job is failed with the
 *       reason instead, so it surfaces in the engine;
 *   <li>anything else from the engine (transport, timeout, 5xx, back pressure, authentication, an
 *       interrupt while waiting for the answer): retried with backoff within
 *       {@link WorkerOptions#reportRetryTimeout()}, then given up (REPORT_FAILED; the job runs again
 *       after its lock expires).
 * </ul>
 *
 * <p>Each failed attempt is logged once at WARN, naming engine, topic, job and retries left, with the
 * stack trace the first time a cause is seen (later at DEBUG). Nothing logged holds variable values.
 */
final class ResultReporter {
  private static final Logger LOG = WorkerRuntime.LOG;
  private static final int MAX_ERROR_DETAILS = 8_000;
  /** Distinct causes whose stack trace was logged; bounded so a stream of new messages cannot grow it. */
  private static final int MAX_TRACED_CAUSES = 256;

  private final Parts parts;
  private final Set<String> tracedCauses = ConcurrentHashMap.newKeySet();

  ResultReporter(Parts parts) {
    this.parts = parts;
  }

  /** The failure a handler exception (or an unreadable job) becomes. */
  static JobResult failure(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getName()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
    return JobResult.fail(message).withErrorDetails(stackTrace(e));
  }

  static String stackTrace(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    String s = out.toString();
    return s.length() <= MAX_ERROR_DETAILS ? s : s.substring(0, MAX_ERROR_DETAILS) + "\n\t...";
  }

  private int retriesAfterFailure(LockedJob job) {
    Integer left = job.retries();
    int base = left != null ? left : parts.options().defaultRetries();
    return Math.max(0, base - 1);
  }

  /**
   * The report of one result, to run once, on any thread. Called before the job's slot may go to
   * another job: a failure's retry backoff is announced to the fetch loop now
   * ({@link SubscriptionRunner#failureReporting}), so that no long poll opened meanwhile outlasts it.
   */
  Runnable prepare(JobExecution e, JobResult result, Duration handlerTime, @Nullable Throwable error) {
    JobResult current = result.withFailureDefaults(retriesAfterFailure(e.locked), parts.options().retryBackoff());
    if (!FetchLoop.setsRetryBackoff(current)) {
      return () -> report(e, current, handlerTime, error);
    }
    parts.runner().failureReporting(current.retryBackoff());
    return () -> {
      try {
        report(e, current, handlerTime, error);
      } finally {
        parts.runner().failureReported();
      }
    };
  }

  void report(JobExecution e, JobResult result, Duration handlerTime, @Nullable Throwable error) {
    LockedJob locked = e.locked;
    String topic = parts.runner().topic();
    String label = parts.label();
    JobResult current = result.withFailureDefaults(retriesAfterFailure(locked), parts.options().retryBackoff());
    Backoff.Sequence backoff = parts.worker().reportRetryBackoff().start();
    long deadline = System.nanoTime() + parts.worker().reportRetryTimeout().toNanos();
    // An interrupt flag left by the handler would fail every call at once: keep it for afterwards.
    boolean interrupted = Thread.interrupted();
    int attempt = 0;
    try {
      while (true) {
        try {
          send(locked, current);
          switch (current.kind()) {
            case COMPLETE -> parts.events().emitFor(COMPLETED, topic, e, handlerTime, 1, null);
            case FAIL -> {
              parts.events().emitFor(FAILED, topic, e, handlerTime, 1, error);
              logFailure(locked, current, error);
              parts.runner().retryScheduled(current);
            }
            case BPMN_ERROR -> parts.events().emitFor(BPMN_ERROR, topic, e, handlerTime, 1, null);
            case TERMINATE -> parts.events().emitFor(TERMINATED, topic, e, handlerTime, 1, null);
            default -> throw new IllegalStateException("unknown result kind " + current.kind());
          }
          return;
        } catch (JobLockLostException lost) {
          parts.runner().lockLost(e, lost);
          LOG.warn("{}: job {} was not {}: this worker lost its lock ({})", label, locked.id(),
              verb(current), lost.detail());
          return;
        } catch (NotFoundException gone) {
          parts.events().emitFor(ALREADY_COMPLETED, topic, e, Duration.ZERO, 1, gone);
          // What is known: the job is gone. After a lost answer (an engine restart, a broken
          // connection) the likeliest reason is this worker's own earlier attempt; say so, so that
          // the line does not read like a lost result.
          if (attempt > 0) {
            LOG.warn("{}: job {} no longer exists in the engine ({} answered: {}); most likely"
                + " it was {} by this worker's earlier attempt, whose answer was lost ({} attempts"
                + " before this one), or it was deleted with its process instance",
                label, locked.id(), gone.operation(), gone.detail(),
                verb(current), attempt);
          } else {
            LOG.warn("{}: job {} no longer exists in the engine ({} answered: {}), so it was"
                + " not {} by this worker: most likely its process instance was deleted or cancelled,"
                + " or another worker finished it after this worker's lock had expired",
                label, locked.id(), gone.operation(), gone.detail(),
                verb(current));
          }
          return;
        } catch (ResultRejectedException | VariableException | UnsupportedOperationException refused) {
          if (current.kind() == JobResult.Kind.FAIL) {
            given(e, current, refused);
            return;
          }
          // Sending the same result again cannot succeed: fail the job with the reason, so that it
          // surfaces as a failure instead of running again after every lock expiry.
          LOG.warn("{}: job {} could not be {} ({}); failing it instead", label, locked.id(),
              verb(current), refused.getMessage());
          error = refused;
          current = JobResult.fail("result could not be sent: " + refused.getMessage())
              .withErrorDetails(stackTrace(refused))
              .withFailureDefaults(retriesAfterFailure(locked), parts.options().retryBackoff());
        } catch (PolyworkerException transientError) {
          if (Thread.interrupted()) {
            interrupted = true;
          }
          if (parts.runner().isInterrupting() || System.nanoTime() > deadline) {
            given(e, current, transientError);
            return;
          }
          attempt++;
          parts.runner().engineError();
          parts.events().emitFor(REPORT_RETRIED, topic, e, Duration.ZERO, attempt, transientError);
          Duration delay = backoff.next();
          LOG.debug("{}: reporting job {} failed (attempt {}), retrying in {} ms", label,
              locked.id(), attempt, delay.toMillis(), transientError);
          if (!pause(delay)) {
            interrupted = true;
            if (parts.runner().isInterrupting()) {
              given(e, current, transientError);
              return;
            }
          }
        } catch (RuntimeException bug) {
          // Not an engine answer but a defect of the engine parts.client(): retrying cannot help.
          parts.events().emitFor(REPORT_FAILED, topic, e, Duration.ZERO, 1, bug);
          LOG.warn("{}: job {} could not be {}; it runs again after its lock expires", label,
              locked.id(), verb(current), bug);
          return;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean pause(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
      return true;
    } catch (InterruptedException ie) {
      return false;
    }
  }

  private void send(LockedJob locked, JobResult r) {
    String workerId = parts.worker().workerId();
    switch (r.kind()) {
      case COMPLETE -> parts.client().complete(locked, workerId, r.variables(), r.localVariables());
      case FAIL -> parts.client().fail(locked, workerId, nonNull(r.errorMessage()), r.errorDetails(),
          nonNull(r.retries()), nonNull(r.retryBackoff()));
      case BPMN_ERROR -> parts.client().bpmnError(locked, workerId, nonNull(r.errorCode()), r.errorMessage(),
          r.variables());
      case TERMINATE -> parts.client().terminate(locked, workerId, r.variables());
      default -> throw new IllegalStateException("unknown result kind " + r.kind());
    }
  }

  private void given(JobExecution job, JobResult result, Exception e) {
    parts.events().emitFor(REPORT_FAILED, parts.runner().topic(), job, Duration.ZERO, 1, e);
    LOG.warn("{}: job {} could not be {}; it runs again after its lock expires: {}",
        parts.label(), job.locked.id(), verb(result), e.toString());
  }

  /** One WARN line per failed attempt the engine took; the stack trace once per distinct cause. */
  private void logFailure(LockedJob locked, JobResult result, @Nullable Throwable error) {
    int retries = nonNull(result.retries());
    String left = retries == 0 ? "no retries left, the engine raises an incident"
        : (retries == 1 ? "1 retry" : retries + " retries") + " left, next attempt in "
            + nonNull(result.retryBackoff()).toMillis() + " ms";
    String why = error != null ? error.toString() : String.valueOf(result.errorMessage());
    boolean trace = error != null && tracedCauses.size() < MAX_TRACED_CAUSES
        && tracedCauses.add(causeKey(error));
    if (trace) {
      LOG.warn("{}: job {} failed ({}): {}", parts.label(), locked.id(), left, why, error);
    } else {
      LOG.warn("{}: job {} failed ({}): {}", parts.label(), locked.id(), left, why);
      if (error != null) {
        LOG.debug("{}: job {} failed with", parts.label(), locked.id(), error);
      }
    }
  }

  /** Exception class and the frame it was thrown from: what makes two failures "the same". */
  private static String causeKey(Throwable error) {
    StackTraceElement[] frames = error.getStackTrace();
    return error.getClass().getName() + (frames.length > 0 ? "@" + frames[0] : "");
  }

  static String verb(JobResult result) {
    return switch (result.kind()) {
      case COMPLETE -> "completed";
      case FAIL -> "failed";
      case BPMN_ERROR -> "given its BPMN error";
      default -> "terminated";
    };
  }

  private static <T> T nonNull(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("result field missing");
    }
    return value;
  }
}
