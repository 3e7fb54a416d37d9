package io.polyworker;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A locked unit of work handed to a {@link JobHandler}: a Camunda 7 external task, a Flowable external
 * worker job or a Zeebe job. The same accessors mean the same thing on every engine; ids are strings
 * everywhere (Zeebe's numeric keys as decimal strings).
 *
 * <p>Thread-safe. {@link #lockExpiresAt()} and {@link #isLockLost()} change while the handler runs,
 * as the runtime extends the lock or learns that it was lost.
 */
public interface Job {

  /** The job's id: Camunda external task id, Flowable job id, Zeebe job key. */
  String id();

  /** Camunda topic, Flowable topic or Zeebe job type. */
  String topic();

  /** The engine id: {@code camunda}, {@code flowable}, {@code zeebe}. */
  String engine();

  /** Id of the process (or CMMN case) instance the job belongs to. */
  String processInstanceId();

  /**
   * Key of the process definition (Zeebe bpmnProcessId, Camunda process definition key, Flowable
   * process definition key), or {@code null} where the engine does not send it with the job.
   */
  @Nullable String processDefinitionKey();

  /** Id of the BPMN/CMMN element (activity id) that created the job. */
  String elementId();

  /**
   * The instance's business key, or {@code null}: always null on Zeebe, which has none, and on
   * Flowable, whose external-job API does not return it (read it through the process client).
   */
  @Nullable String businessKey();

  /** The tenant id, or {@code null} without multi-tenancy. */
  @Nullable String tenantId();

  /**
   * Retries left as the engine reports them, or {@code null} where the engine has not set any yet
   * (Camunda 7 before the first failure).
   */
  @Nullable Integer retries();

  /** When the lock held by this worker expires; moves forward when the lock is extended. */
  Instant lockExpiresAt();

  /** Zeebe custom headers or Camunda extension properties; empty when there are none. */
  Map<String, String> headers();

  /** The variables fetched with the job. */
  Variables variables();

  /**
   * Whether this worker is known to have lost the job's lock (it expired and could not be extended,
   * or the engine said another worker holds it). A handler may check it to stop early; its result
   * will then most likely be rejected by the engine and reported as a lost lock.
   */
  boolean isLockLost();

  /**
   * Escape hatch to the engine's own representation of the job: for Camunda and Flowable the parsed
   * JSON answer ({@code com.fasterxml.jackson.databind.JsonNode}), for Zeebe the Camunda client's
   * {@code io.camunda.client.api.response.ActivatedJob}.
   *
   * @throws IllegalArgumentException if the native object is not of that type
   */
  <T> T unwrap(Class<T> type);
}
