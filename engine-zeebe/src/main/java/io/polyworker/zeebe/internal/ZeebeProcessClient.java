package io.polyworker.zeebe.internal;

import io.camunda.zeebe.client.ZeebeClient;
import io.camunda.zeebe.client.api.response.Decision;
import io.camunda.zeebe.client.api.response.DecisionRequirements;
import io.camunda.zeebe.client.api.response.DeploymentEvent;
import io.camunda.zeebe.client.api.response.Process;
import io.camunda.zeebe.client.api.response.ProcessInstanceEvent;
import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.PolyworkerException;
import io.polyworker.ProcessClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process operations over gRPC: DeployResource and CreateProcessInstance (latest version). Zeebe has
 * no business key, so the one given to {@link #startProcess} is ignored (logged once at INFO).
 */
@SuppressWarnings("deprecation") // ZeebeClient: deprecated in 8.8 in favour of CamundaClient; see README
final class ZeebeProcessClient implements ProcessClient {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultZeebeEngine.LOGGER);

  private final ZeebeClient client;
  private final AtomicBoolean businessKeyNoted = new AtomicBoolean();

  ZeebeProcessClient(ZeebeClient client) {
    this.client = client;
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
    DeploymentEvent event = ZeebeErrors.await("deploy", send(command::send, "deploy"));
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
  public String startProcess(String processKey, Map<String, ? extends @Nullable Object> variables,
      @Nullable String businessKey) {
    if (processKey == null || processKey.isBlank()) {
      throw new IllegalArgumentException("processKey is blank");
    }
    if (businessKey != null && businessKeyNoted.compareAndSet(false, true)) {
      LOG.info("Zeebe has no business keys: ignoring business key '{}' (and any later ones) when"
          + " starting '{}'; pass it as a variable instead", businessKey, processKey);
    }
    var command = client.newCreateInstanceCommand()
        .bpmnProcessId(processKey)
        .latestVersion();
    String json = ZeebeJobs.encode(variables, "startProcess");
    if (json != null) {
      command = command.variables(json);
    }
    ProcessInstanceEvent event = ZeebeErrors.await("startProcess", send(command::send, "startProcess"));
    return Long.toString(event.getProcessInstanceKey());
  }

  private interface Send<T> {
    io.camunda.zeebe.client.api.ZeebeFuture<T> send();
  }

  private static <T> io.camunda.zeebe.client.api.ZeebeFuture<T> send(Send<T> send, String operation) {
    try {
      return send.send();
    } catch (PolyworkerException e) {
      throw e;
    } catch (RuntimeException e) {
      throw ZeebeErrors.map(operation, e);
    }
  }
}
