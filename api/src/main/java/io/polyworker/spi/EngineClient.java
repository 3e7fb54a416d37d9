package io.polyworker.spi;

import io.polyworker.PolyworkerException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The job operations an engine module implements for the worker runtime. Service provider interface:
 * applications use {@code io.polyworker.worker.JobWorker}, not this.
 *
 * <p>Implementations are thread-safe. Every failure is a {@link PolyworkerException} of the subtype
 * that fits (see that class), carrying engine id, operation, status and an excerpt of the answer;
 * retryable failures say so through {@link PolyworkerException#isRetryable()}. Results for a job whose
 * lock this worker lost raise {@link io.polyworker.JobLockLostException}; for a job that no longer
 * exists, {@link io.polyworker.NotFoundException} or {@link io.polyworker.JobAlreadyCompletedException}.
 * A result whose content the engine refuses for good (a variable it cannot store, a result kind the
 * job does not take) raises {@link io.polyworker.ResultRejectedException}: only then does the runtime
 * fail the job instead; every other failure of a result is retried.
 */
public interface EngineClient extends AutoCloseable {

  /** The engine id: {@code camunda}, {@code flowable}, {@code zeebe}. */
  String engineId();

  /** What this engine can do. */
  EngineCapabilities capabilities();

  /**
   * Fetches and locks up to {@code request.maxJobs()} jobs. The future completes with the jobs (maybe
   * none) or exceptionally with a {@link PolyworkerException}. Cancelling the future aborts the
   * request (its jobs, if the engine already locked them, stay locked until the lock expires).
   */
  CompletableFuture<List<LockedJob>> fetchAndLock(FetchRequest request);

  /**
   * Fetches and locks jobs of several topics in one request, for engines with
   * {@link Capability#MULTI_TOPIC_FETCH}: each request gives one topic with its lock duration,
   * variables and filters; all must agree on workerId, maxJobs, longPollTimeout and usePriority.
   * The answer holds at most {@code maxJobs} jobs in total, of any of the topics, each with its
   * {@link LockedJob#topic()}. A long poll waits until a job of any topic is there. Cancelling the
   * future aborts the request, as with {@link #fetchAndLock(FetchRequest)}.
   *
   * @throws IllegalArgumentException when the requests are empty, repeat a topic or disagree
   * @throws UnsupportedOperationException without {@link Capability#MULTI_TOPIC_FETCH}
   */
  default CompletableFuture<List<LockedJob>> fetchAndLock(List<FetchRequest> requests) {
    throw new UnsupportedOperationException(engineId() + " fetches one topic per request");
  }

  /**
   * Whether a job may wait to be fetched for one of {@code requests}, for engines with
   * {@link Capability#JOB_PROBE}. The probe may be coarser than the requests (an engine that cannot
   * filter the probe by topic answers for all topics): {@code true} means "fetch and see",
   * {@code false} means no job of these requests waited when the engine answered. Blocking; called on
   * the runtime's engine-call threads, at most once per {@code emptyPollBackoff.max()} per engine.
   *
   * @throws io.polyworker.PolyworkerException when the engine fails or refuses the probe
   * @throws UnsupportedOperationException without {@link Capability#JOB_PROBE}
   */
  default boolean jobsWaiting(List<FetchRequest> requests) {
    throw new UnsupportedOperationException(engineId() + " cannot probe for waiting jobs");
  }

  /**
   * Opens a push stream delivering jobs to {@code sink} as they are created, for engines with
   * {@link Capability#STREAMING}. Jobs that existed before the stream opened are not pushed: keep
   * polling too. The sink is called from the client's threads and must not block.
   *
   * <p>The runtime closes its stream while every slot of the subscription is busy and opens a new one
   * when a slot frees (so that a saturated worker leaves new jobs to other workers instead of taking
   * and handing them back): opening and closing must be cheap and may happen often. A job delivered
   * after {@link JobStream#close()} returned may still reach the sink; the runtime handles it.
   *
   * @throws UnsupportedOperationException without {@link Capability#STREAMING}
   */
  default JobStream openStream(FetchRequest request, Consumer<LockedJob> sink) {
    throw new UnsupportedOperationException(engineId() + " does not push jobs");
  }

  /** Completes the job, setting process variables and (with {@link Capability#LOCAL_VARIABLES}) task-local ones. */
  void complete(LockedJob job, String workerId, Map<String, ? extends @Nullable Object> variables,
      Map<String, ? extends @Nullable Object> localVariables);

  /** Reports a failure; {@code retries} is what is left afterwards, {@code retryBackoff} when to offer it again. */
  void fail(LockedJob job, String workerId, String errorMessage, @Nullable String errorDetails,
      int retries, Duration retryBackoff);

  /** Raises a BPMN error with variables. */
  void bpmnError(LockedJob job, String workerId, String errorCode, @Nullable String errorMessage,
      Map<String, ? extends @Nullable Object> variables);

  /**
   * Terminates a CMMN plan item (Flowable).
   *
   * @throws UnsupportedOperationException without {@link Capability#CMMN}
   */
  default void terminate(LockedJob job, String workerId, Map<String, ? extends @Nullable Object> variables) {
    throw new UnsupportedOperationException(engineId() + " has no CMMN terminate");
  }

  /**
   * Extends the lock to {@code now + duration} and returns the new expiry.
   *
   * @throws UnsupportedOperationException without {@link Capability#LOCK_EXTENSION}
   */
  default Instant extendLock(LockedJob job, String workerId, Duration duration) {
    throw new UnsupportedOperationException(engineId() + " cannot extend locks");
  }

  /**
   * Hands a fetched job back so that any worker can fetch it at once, without using up a retry.
   * Engines without an unlock operation emulate it where they can (Zeebe: fail with the same retries
   * and no backoff).
   */
  void release(LockedJob job, String workerId);

  /** Closes connections and threads. Further calls fail. */
  @Override
  void close();
}
