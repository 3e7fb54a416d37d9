package io.polyworker;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened in a {@code JobWorker}.
 *
 * @param type what happened
 * @param engine engine id
 * @param workerId the id of the worker (its {@code WorkerOptions.workerId()}), the same in every event
 *     of one worker
 * @param topic the subscription's topic
 * @param jobId the job concerned, or null for poll events
 * @param duration for FETCHED / POLL_EMPTY / POLL_ERROR the fetch's round trip; for COMPLETED,
 *     FAILED, BPMN_ERROR, TERMINATED the handler's run time; for LOCK_EXTENDED the new lock duration;
 *     otherwise zero
 * @param inWorker how long the job has been in this worker, counted from its arrival (the fetch's
 *     answer, or the push): for STARTED the time it waited for a slot or a thread before its handler
 *     started; for COMPLETED, FAILED, BPMN_ERROR, TERMINATED, ALREADY_COMPLETED, LOCK_LOST and
 *     REPORT_FAILED the time until the engine answered the report (end to end inside the worker);
 *     zero for poll events, and for jobs whose arrival the worker did not record (a pushed job
 *     released before it was given a slot)
 * @param count for FETCHED the number of jobs; for REPORT_RETRIED the attempt number; otherwise 0 or 1
 * @param error the cause for POLL_ERROR, FAILED (the handler's exception, if any, or the
 *     {@link MalformedAnswerException} of a job that could not be read), LOCK_LOST,
 *     ALREADY_COMPLETED, REPORT_RETRIED, REPORT_FAILED; otherwise null
 */
public record WorkerEvent(Type type, String engine, String workerId, String topic,
    @Nullable String jobId, Duration duration, Duration inWorker, int count,
    @Nullable Throwable error) {

  /** Event types. */
  public enum Type {
    /** A fetch returned jobs. */
    FETCHED,
    /** The engine pushed a job on the subscription's job stream (Zeebe); one event per job. */
    PUSHED,
    /** A fetch returned no job. */
    POLL_EMPTY,
    /** A fetch failed; the poller backs off. */
    POLL_ERROR,
    /** A handler started on a job. */
    STARTED,
    /** The engine accepted a completion. */
    COMPLETED,
    /**
     * The engine accepted a failure (handler exception, null result or {@link JobResult#fail}). A
     * job the engine locked but that could not be read is failed without a handler, so without
     * STARTED; its error is the {@link MalformedAnswerException} that says why.
     */
    FAILED,
    /** The engine accepted a BPMN error. */
    BPMN_ERROR,
    /** The engine accepted a CMMN terminate. */
    TERMINATED,
    /** The job's lock was extended. */
    LOCK_EXTENDED,
    /**
     * This worker learnt that it lost the job's lock: at lock expiry when the lock could not be
     * extended, when an extension was refused, or when the engine rejected the result (then
     * {@link WorkerEvent#error()} is the {@link JobLockLostException}). May come more than once per job.
     */
    LOCK_LOST,
    /** The engine says the job no longer exists or was already completed. */
    ALREADY_COMPLETED,
    /** A result report failed transiently and is being sent again. */
    REPORT_RETRIED,
    /** A result report failed for good (non-retryable error or retry timeout). */
    REPORT_FAILED,
    /** A fetched job that was not started was handed back to the engine. */
    RELEASED
  }
}
