package io.polyworker;

/**
 * The code that works on a job. The same handler runs on every engine.
 *
 * <p>Return a {@link JobResult}; throwing {@link BpmnError} is the same as returning
 * {@link JobResult#bpmnError}; any other exception fails the job (retries − 1, the subscription's
 * retry backoff, the stack trace as error details). Returning {@code null} fails the job with a
 * message saying so.
 *
 * <p>Must be thread-safe: the runtime calls it concurrently for different jobs, up to the
 * subscription's {@link SubscriptionOptions#maxConcurrentJobs()}. On graceful shutdown, a handler
 * still running after the drain deadline is interrupted.
 */
@FunctionalInterface
public interface JobHandler {

  /** Works on one job and says how it ended. */
  JobResult handle(Job job) throws Exception;
}
