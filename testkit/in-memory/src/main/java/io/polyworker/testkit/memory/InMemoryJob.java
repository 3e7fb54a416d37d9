package io.polyworker.testkit.memory;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one job of an {@link InMemoryEngine}, as {@link InMemoryEngine#jobs()} returns it and
 * as {@link io.polyworker.Job#unwrap(Class)} gives it to handlers. Immutable; it does not change when
 * the job does.
 *
 * @param id the job id
 * @param processInstanceId the instance it belongs to
 * @param elementId the service task's id
 * @param topic the task's topic (Camunda/Flowable topic, Zeebe job type)
 * @param retries retries left; null until the first failure, as in Camunda 7
 * @param lockOwner the worker holding the lock, or null when unlocked
 * @param lockExpiresAt when the lock expires, or null when unlocked
 * @param availableAt when a failed job may be fetched again, or null
 * @param errorMessage the last failure's message, or null
 * @param errorDetails the last failure's details (a stack trace), or null
 * @param state where the job is
 * @param headers the task's extension properties / task headers
 */
public record InMemoryJob(
    String id,
    String processInstanceId,
    String elementId,
    String topic,
    @Nullable Integer retries,
    @Nullable String lockOwner,
    @Nullable Instant lockExpiresAt,
    @Nullable Instant availableAt,
    @Nullable String errorMessage,
    @Nullable String errorDetails,
    State state,
    Map<String, String> headers) {

  public InMemoryJob {
    headers = Map.copyOf(headers);
  }

  /** Where a job is. */
  public enum State {
    /** Waiting to be fetched, locked by a worker, or waiting for its retry backoff. */
    ACTIVE,
    /** Failed with no retries left: an incident; never offered again. */
    INCIDENT,
    /** Completed. */
    COMPLETED,
    /** Ended by a BPMN error (caught or not). */
    BPMN_ERROR,
    /**
     * Deleted with its cancelled process instance: never offered again, and results for it raise
     * {@link io.polyworker.NotFoundException}, as for a deleted Camunda external task.
     */
    CANCELLED
  }
}
