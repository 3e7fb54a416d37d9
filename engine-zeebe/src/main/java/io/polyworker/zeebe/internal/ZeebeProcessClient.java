package io.polyworker.zeebe.internal;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.command.CreateProcessInstanceCommandStep1.CreateProcessInstanceCommandStep3;
import io.camunda.client.api.response.Decision;
import io.camunda.client.api.response.DecisionRequirements;
import io.camunda.client.api.response.DeploymentEvent;
import io.camunda.client.api.response.Process;
import io.camunda.client.api.response.ProcessInstanceEvent;
import io.camunda.client.api.response.ProcessInstanceResult;
import io.camunda.client.api.response.PublishMessageResponse;
import io.grpc.Status;
import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.MessageAlreadyExistsException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ProcessAwaitTimeoutException;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessResult;
import io.polyworker.PublishMessage;
import io.polyworker.StartProcess;
import io.polyworker.zeebe.ZeebeEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process operations over gRPC: DeployResource, CreateProcessInstance (latest or given version,
 * tenant), CreateProcessInstanceWithResult for start-and-await, PublishMessage and
 * CancelProcessInstance.
 *
 * <p>Zeebe has no business key. Every way of starting with one ({@link #startProcess(String, Map,
 * String)}, a {@link StartProcess} that names one, {@link #startProcessAndAwait}) ignores it, so that
 * engine-neutral code runs; the first one per client is logged at INFO.
 */
final class ZeebeProcessClient implements ProcessClient {
  private static final Logger LOG = LoggerFactory.getLogger(ZeebeEngineFactory.LOGGER);

  private final CamundaClient client;
  private final ZeebeErrors.Gateway gateway;
  private final AtomicBoolean businessKeyNoted = new AtomicBoolean();

  ZeebeProcessClient(CamundaClient client, ZeebeErrors.Gateway gateway) {
    this.client = client;
    this.gateway = gateway;
  }

  @Override
  public List<DeployedDefinition> deploy(DeploymentResource... resources) {
    Objects.requireNonNull(resources, "resources");
    if (resources.length == 0) {
      throw new IllegalArgumentException("no resources to deploy");
    }
    var command = client.newDeployResourceCommand()
        .addResourceBytes(resources[0].content(), resources[0].name());
    for (int i = 1; i < resources.length; i++) {
      command = command.addResourceBytes(resources[i].content(), resources[i].name());
    }
    DeploymentEvent event = ZeebeErrors.execute(gateway, "deploy", command::send);
    List<DeployedDefinition> result = new ArrayList<>();
    for (Process p : event.getProcesses()) {
      result.add(new DeployedDefinition(p.getBpmnProcessId(), Long.toString(p.getProcessDefinitionKey()),
          p.getVersion(), p.getResourceName()));
    }
    Map<Long, String> drdResources = new HashMap<>();
    for (DecisionRequirements d : event.getDecisionRequirements()) {
      drdResources.put(d.getDecisionRequirementsKey(), d.getResourceName());
    }
    for (Decision d : event.getDecisions()) {
      result.add(new DeployedDefinition(d.getDmnDecisionId(), Long.toString(d.getDecisionKey()),
          d.getVersion(), drdResources.getOrDefault(d.getDecisionRequirementsKey(), "")));
    }
    return List.copyOf(result);
  }


  @Override
  public String startProcess(StartProcess request) {
    ignoreBusinessKey(request, "startProcess");
    var command = create(request, "startProcess");
    ProcessInstanceEvent event = ZeebeErrors.execute(gateway, "startProcess", command::send);
    return Long.toString(event.getProcessInstanceKey());
  }

  /**
   * Zeebe's create-with-result: one call that the gateway answers when the instance completes. It
   * does not answer early for an incident or a cancellation: those show as the timeout. On timeout
   * the key of the instance is not known (the gateway reports it only with the result).
   */
  @Override
  public ProcessResult startProcessAndAwait(StartProcess request, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be > 0: " + timeout);
    }
    ignoreBusinessKey(request, "startProcessAndAwait");
    var command = create(request, "startProcessAndAwait").withResult();
    List<String> fetch = request.fetchVariables();
    if (fetch != null && !fetch.isEmpty()) {
      command = command.fetchVariables(fetch);
    }
    // The gateway stops waiting after the request timeout; the client's own deadline would add 10 s
    // (and is all there is on gateways that ignore the field), so wait locally as long as asked.
    var ready = command.requestTimeout(timeout);
    CamundaFuture<ProcessInstanceResult> call = ZeebeErrors.send(gateway, "startProcessAndAwait", ready::send);
    ProcessInstanceResult result;
    try {
      result = ZeebeErrors.await(gateway, "startProcessAndAwait", call, timeout.plus(AWAIT_GRACE));
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new ProcessAwaitTimeoutException(ZeebeEngine.ID, null, timeout);
    } catch (PolyworkerException e) {
      if (e.status() == Status.Code.DEADLINE_EXCEEDED.value()) {
        throw new ProcessAwaitTimeoutException(ZeebeEngine.ID, null, timeout);
      }
      throw e;
    }
    Map<String, @Nullable Object> variables = fetch != null && fetch.isEmpty() ? Map.of()
        : ZeebeJobs.decode(result.getVariables(), result.getProcessInstanceKey());
    return new ProcessResult(Long.toString(result.getProcessInstanceKey()), variables);
  }

  /** How much longer than asked the client waits for the gateway's own timeout answer. */
  private static final Duration AWAIT_GRACE = Duration.ofMillis(500);


  /**
   * Zeebe buffers the message for its time to live (zero: correlate with a waiting subscription now
   * or drop it); the correlation variable is the model's business, not the publisher's. Returns the
   * message key.
   */
  @Override
  public @Nullable String publishMessage(PublishMessage message) {
    var command = client.newPublishMessageCommand()
        .messageName(message.name())
        .correlationKey(message.correlationKey())
        .timeToLive(message.timeToLive());
    if (message.messageId() != null) {
      command = command.messageId(message.messageId());
    }
    String json = ZeebeJobs.encode(message.variables(), "publishMessage");
    if (json != null) {
      command = command.variables(json);
    }
    PublishMessageResponse response;
    try {
      response = ZeebeErrors.execute(gateway, "publishMessage", command::send);
    } catch (PolyworkerException e) {
      if (e.status() == Status.Code.ALREADY_EXISTS.value()) {
        throw new MessageAlreadyExistsException(ZeebeEngine.ID, "publishMessage", e.status(),
            e.answerExcerpt(), "a message named '" + message.name() + "' with id '" + message.messageId()
                + "' is still buffered", e);
      }
      throw e;
    }
    return Long.toString(response.getMessageKey());
  }

  @Override
  public void cancelProcessInstance(String processInstanceId) {
    long key;
    try {
      key = Long.parseLong(processInstanceId);
    } catch (NumberFormatException e) {
      throw new NotFoundException(ZeebeEngine.ID, "cancelProcessInstance", -1, null,
          "'" + processInstanceId + "' is not a Zeebe process instance key", e);
    }
    ZeebeErrors.execute(gateway, "cancelProcessInstance", () -> client.newCancelInstanceCommand(key).send());
  }

  /** Zeebe has no business keys: the key is ignored (said once per client), as documented on StartProcess. */
  private void ignoreBusinessKey(StartProcess request, String operation) {
    if (request.businessKey() != null && businessKeyNoted.compareAndSet(false, true)) {
      // The key itself is data (often a customer's or an order's number): never logged.
      LOG.info("Zeebe has no business keys: {} ignores the business key given for '{}' (and any later"
          + " ones); pass it as a variable instead", operation, request.processKey());
    }
  }

  private CreateProcessInstanceCommandStep3 create(StartProcess request, String operation) {
    var byId = client.newCreateInstanceCommand().bpmnProcessId(request.processKey());
    var command = request.version() == null ? byId.latestVersion() : byId.version(request.version());
    if (request.tenantId() != null) {
      command = command.tenantId(request.tenantId());
    }
    String json = ZeebeJobs.encode(request.variables(), operation);
    if (json != null) {
      command = command.variables(json);
    }
    return command;
  }
}
