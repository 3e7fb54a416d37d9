package io.polyworker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Drives processes the same way on every engine. Thread-safe. Every failure is a
 * {@link PolyworkerException} subtype naming the engine and the operation; on every engine an
 * unreachable engine raises {@link EngineUnavailableException}, an overloaded one
 * {@link BackPressureException}, and rejected credentials {@link AuthenticationException}.
 */
public interface ProcessClient {

  /**
   * Deploys the resources (BPMN; DMN and CMMN where the engine takes them) in one deployment.
   *
   * @return the definitions the engine created, one per process, case or decision
   * @throws InvalidDefinitionException with the engine's parse message when a resource is invalid
   */
  List<DeployedDefinition> deploy(DeploymentResource... resources);

  /** Starts the latest version of the process with this key; returns the instance id. */
  default String startProcess(String processKey, Map<String, ? extends @Nullable Object> variables) {
    return startProcess(StartProcess.of(processKey).withVariables(variables));
  }

  /**
   * Starts the latest version of the process with this key and a business key; returns the
   * instance id. On Zeebe, which has no business keys, the business key is ignored (not refused;
   * logged once): pass it as a variable there.
   */
  default String startProcess(String processKey, Map<String, ? extends @Nullable Object> variables,
      @Nullable String businessKey) {
    return startProcess(StartProcess.of(processKey).withVariables(variables).withBusinessKey(businessKey));
  }

  /**
   * Starts a process instance; returns its id.
   *
   * @throws NotFoundException when no process (of that version / tenant) is deployed
   * @throws PolyworkerException when the process has no none start event, on engines with
   *     {@link io.polyworker.spi.Capability#START_NEEDS_NONE_START_EVENT} (Camunda 7 instead starts
   *     such a process through its only message start event)
   */
  String startProcess(StartProcess request);

  /**
   * Starts a process instance and waits until it ends; returns its end-state variables. Zeebe uses
   * its native create-with-result call; Camunda 7 and Flowable follow the instance through history
   * with a bounded backoff (at most one query per second once it runs longer).
   *
   * @throws ProcessAwaitTimeoutException after {@code timeout}, carrying the id of the instance,
   *     which keeps running
   * @throws ProcessInstanceFailedException when the instance raises an incident or is cancelled
   *     while awaited
   */
  ProcessResult startProcessAndAwait(StartProcess request, Duration timeout);

  /**
   * Publishes a message.
   *
   * <p>Zeebe buffers it natively for {@code timeToLive}; a second message with the same
   * {@code messageId} while the first lives raises {@link MessageAlreadyExistsException}.
   * Camunda 7 and Flowable have no buffering: the message is correlated at once to one waiting
   * message subscription (intermediate catch or boundary event, or a message start event) whose
   * business key — or the process variable {@link PublishMessage#correlationVariable()} — equals the
   * correlation key. With no match and time to live zero this raises {@link NotFoundException}; with
   * a time to live the client retries the correlation in the background, with backoff, until it
   * matches or the time to live ends (then the message is dropped, as Zeebe drops expired messages).
   * There {@code messageId} is checked by this client only: the same id again while the first is
   * alive (pending or within its time to live) raises {@link MessageAlreadyExistsException}.
   *
   * @return Zeebe: the message key; Camunda 7 / Flowable: the id of the process instance the
   *     message reached, or null while it waits for a subscription
   */
  @Nullable String publishMessage(PublishMessage message);

  /**
   * Cancels a running process instance.
   *
   * @throws NotFoundException when the instance is unknown or already ended
   */
  void cancelProcessInstance(String processInstanceId);
}
