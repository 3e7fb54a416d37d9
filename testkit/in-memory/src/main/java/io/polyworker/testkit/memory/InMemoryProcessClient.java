package io.polyworker.testkit.memory;

import static io.polyworker.testkit.memory.InMemoryEngine.ID;

import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessInstanceFailedException;
import io.polyworker.ProcessResult;
import io.polyworker.PublishMessage;
import io.polyworker.StartProcess;
import io.polyworker.support.internal.InstanceFollower;
import io.polyworker.support.internal.MessageCorrelator;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.memory.EngineState.Definition;
import io.polyworker.testkit.memory.EngineState.Instance;
import io.polyworker.testkit.memory.EngineState.JobState;
import io.polyworker.testkit.memory.InMemoryEngine.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * {@link InMemoryEngine#processClient()}: deploys BPMN, starts (and awaits) instances, correlates
 * messages (with a {@link MessageCorrelator} of its own for time to live and message ids) and
 * cancels instances, as Camunda 7 does.
 */
final class InMemoryProcessClient implements ProcessClient {
  private final EngineState state;
  private final Faults faults;
  private final MessageCorrelator messages = new MessageCorrelator(ID);

  InMemoryProcessClient(EngineState state, Faults faults) {
    this.state = state;
    this.faults = faults;
  }

  @Override
  public List<DeployedDefinition> deploy(DeploymentResource... resources) {
    faults.enter(Operation.DEPLOY);
    if (resources.length == 0) {
      throw new InvalidDefinitionException(ID, "deploy", 400, null, "nothing to deploy", null);
    }
    List<BpmnModel.Process> parsed = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (DeploymentResource r : resources) {
      if (!r.name().endsWith(".bpmn") && !r.name().endsWith(".bpmn20.xml")) {
        throw new InvalidDefinitionException(ID, "deploy", 400, null, r.name()
            + ": the in-memory engine deploys BPMN only (.bpmn, .bpmn20.xml)", null);
      }
      for (BpmnModel.Process p : BpmnModel.parse(ID, r.name(), r.content())) {
        parsed.add(p);
        names.add(r.name());
      }
    }
    state.lock.lock();
    try {
      checkKeysAndStartMessages(parsed, names);
      List<DeployedDefinition> result = new ArrayList<>();
      for (int i = 0; i < parsed.size(); i++) {
        BpmnModel.Process p = parsed.get(i);
        List<Definition> versions = state.definitions.computeIfAbsent(p.key(), k -> new ArrayList<>());
        int version = versions.size() + 1;
        Definition d = new Definition(p.key(), p.key() + ":" + version + ":" + state.nextId("def"),
            version, names.get(i), p);
        versions.add(d);
        result.add(new DeployedDefinition(d.key(), d.id(), d.version(), d.resourceName()));
      }
      return Collections.unmodifiableList(result);
    } finally {
      state.lock.unlock();
    }
  }

  /**
   * Refuses, as Camunda 7 does, a deployment with two processes of one key, and a message start
   * event whose message already starts another process (that process's latest version, or another
   * process of this deployment). Call with the lock held.
   */
  private void checkKeysAndStartMessages(List<BpmnModel.Process> parsed, List<String> names) {
    Map<String, String> keys = new HashMap<>();
    Map<String, String> startMessages = new HashMap<>();
    for (Map.Entry<String, List<Definition>> e : state.definitions.entrySet()) {
      for (String message : e.getValue().get(e.getValue().size() - 1).model().messageStarts().keySet()) {
        startMessages.put(message, e.getKey());
      }
    }
    for (BpmnModel.Process p : parsed) {
      startMessages.values().removeIf(p.key()::equals); // a new version replaces its own subscriptions
    }
    for (int i = 0; i < parsed.size(); i++) {
      BpmnModel.Process p = parsed.get(i);
      if (keys.put(p.key(), names.get(i)) != null) {
        throw new InvalidDefinitionException(ID, "deploy", 400, null, names.get(i)
            + ": the deployment contains more than one process with key '" + p.key() + "'", null);
      }
      for (String message : p.messageStarts().keySet()) {
        String other = startMessages.putIfAbsent(message, p.key());
        if (other != null) {
          throw new InvalidDefinitionException(ID, "deploy", 400, null, names.get(i) + ": process '"
              + p.key() + "' has a start event for message '" + message + "', which already starts"
              + " process '" + other + "'", null);
        }
      }
    }
  }

  @Override
  public String startProcess(StartProcess request) {
    faults.enter(Operation.START_PROCESS);
    return start(request, Operation.START_PROCESS);
  }

  @Override
  public ProcessResult startProcessAndAwait(StartProcess request, Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout < 0: " + timeout);
    }
    faults.enter(Operation.START_PROCESS_AND_AWAIT);
    String id = start(request, Operation.START_PROCESS_AND_AWAIT);
    return InstanceFollower.await(ID, id, timeout, () -> check(id, request.fetchVariables()));
  }

  private String start(StartProcess request, Operation op) {
    Map<String, @Nullable Object> vars = Values.encode(request.variables(), op);
    state.lock.lock();
    try {
      Definition definition = definition(request, op);
      String startId = definition.model().noneStartId();
      if (startId == null) {
        throw new PolyworkerException(ID, op.operationName(), 400, null, "process '"
            + definition.key() + "' (version " + definition.version() + ") has no none start event;"
            + " it starts only when one of the messages " + definition.model().messageStarts().keySet()
            + " is published", null);
      }
      return state.newInstance(definition, vars, request.businessKey(), startId).id;
    } finally {
      state.lock.unlock();
    }
  }

  private Definition definition(StartProcess request, Operation op) {
    List<Definition> versions = state.definitions.get(request.processKey());
    if (versions == null) {
      throw new NotFoundException(ID, op.operationName(), 404, null, "no process with key '"
          + request.processKey() + "' is deployed", null);
    }
    if (request.tenantId() != null) {
      throw new NotFoundException(ID, op.operationName(), 404, null, "no process with key '"
          + request.processKey() + "' is deployed for tenant '" + request.tenantId()
          + "' (the in-memory engine deploys without tenants)", null);
    }
    Integer version = request.version();
    if (version == null) {
      return versions.get(versions.size() - 1);
    }
    if (version > versions.size()) {
      throw new NotFoundException(ID, op.operationName(), 404, null, "no process with key '"
          + request.processKey() + "' of version " + version + " (the latest is version "
          + versions.size() + ")", null);
    }
    return versions.get(version - 1);
  }

  /** One look at an awaited instance, for {@link InstanceFollower}. */
  private @Nullable ProcessResult check(String id, @Nullable List<String> names) {
    state.lock.lock();
    try {
      if (state.closed) {
        throw new PolyworkerException(ID, "startProcessAndAwait", -1, null, "the engine closed while"
            + " process instance " + id + " was awaited", null);
      }
      Instance instance = Objects.requireNonNull(state.instances.get(id), id);
      switch (instance.state) {
        case COMPLETED: {
          Map<String, @Nullable Object> result = new LinkedHashMap<>();
          instance.variables.forEach((name, value) -> {
            if (names == null || names.contains(name)) {
              result.put(name, Values.copy(value));
            }
          });
          return new ProcessResult(id, result);
        }
        case TERMINATED:
          throw new ProcessInstanceFailedException(ID, id, "was cancelled");
        default:
          for (JobState j : state.jobs.values()) {
            if (j.instance == instance && j.state == InMemoryJob.State.INCIDENT) {
              throw new ProcessInstanceFailedException(ID, id, "raised an incident (failedExternalTask at "
                  + j.task.elementId() + "): " + j.errorMessage);
            }
          }
          return null;
      }
    } finally {
      state.lock.unlock();
    }
  }

  @Override
  public @Nullable String publishMessage(PublishMessage message) {
    faults.enter(Operation.PUBLISH_MESSAGE);
    Map<String, @Nullable Object> vars = Values.encode(message.variables(), Operation.PUBLISH_MESSAGE);
    return messages.publish(message, m -> correlate(m, vars));
  }

  /** Correlates once: to the one waiting instance or message start event, or throws NotFound. */
  private String correlate(PublishMessage message, Map<String, @Nullable Object> vars) {
    String op = Operation.PUBLISH_MESSAGE.operationName();
    state.lock.lock();
    try {
      if (state.closed) {
        throw new PolyworkerException(ID, op, -1, null, "the engine is closed", null);
      }
      List<Instance> waiting = new ArrayList<>();
      for (Instance i : state.instances.values()) {
        if (i.state == InstanceState.ACTIVE && i.waitingAt != null
            && message.name().equals(i.definition.model().catchEvents().get(i.waitingAt))
            && correlates(i, message)) {
          waiting.add(i);
        }
      }
      List<Definition> starting = new ArrayList<>();
      for (List<Definition> versions : state.definitions.values()) {
        Definition latest = versions.get(versions.size() - 1);
        if (latest.model().messageStarts().containsKey(message.name())) {
          starting.add(latest);
        }
      }
      int matches = waiting.size() + starting.size();
      String what = "message '" + message.name() + "' with correlation key '"
          + message.correlationKey() + "'" + (message.correlationVariable() == null
              ? " (business key)" : " (variable '" + message.correlationVariable() + "')");
      if (matches == 0) {
        throw new NotFoundException(ID, op, 400, null, "no subscription waits for " + what, null);
      }
      if (matches > 1) {
        throw new PolyworkerException(ID, op, 400, null, "cannot correlate " + what
            + " to a single subscription: " + matches + " match", null);
      }
      if (!waiting.isEmpty()) {
        Instance i = waiting.get(0);
        String catchEvent = Objects.requireNonNull(i.waitingAt);
        i.variables.putAll(Values.copyMap(vars));
        i.waitingAt = null;
        state.advance(i, Objects.requireNonNull(i.definition.model().next().get(catchEvent)));
        return i.id;
      }
      Definition d = starting.get(0);
      String businessKey = message.correlationVariable() == null ? message.correlationKey() : null;
      return state.newInstance(d, Values.copyMap(vars), businessKey,
          Objects.requireNonNull(d.model().messageStarts().get(message.name()))).id;
    } finally {
      state.lock.unlock();
    }
  }

  private boolean correlates(Instance instance, PublishMessage message) {
    String variable = message.correlationVariable();
    if (variable == null) {
      return message.correlationKey().equals(instance.businessKey);
    }
    return message.correlationKey().equals(instance.variables.get(variable));
  }

  @Override
  public void cancelProcessInstance(String processInstanceId) {
    faults.enter(Operation.CANCEL_PROCESS_INSTANCE);
    String op = Operation.CANCEL_PROCESS_INSTANCE.operationName();
    state.lock.lock();
    try {
      Instance instance = state.instances.get(processInstanceId);
      if (instance == null) {
        throw new NotFoundException(ID, op, 404, null, "process instance " + processInstanceId
            + " does not exist", null);
      }
      if (instance.state != InstanceState.ACTIVE) {
        throw new NotFoundException(ID, op, 404, null, "process instance " + processInstanceId
            + " has already ended (" + instance.state + ")", null);
      }
      instance.state = InstanceState.TERMINATED;
      instance.waitingAt = null;
      for (JobState j : state.jobs.values()) {
        if (j.instance == instance
            && (j.state == InMemoryJob.State.ACTIVE || j.state == InMemoryJob.State.INCIDENT)) {
          j.state = InMemoryJob.State.CANCELLED;
          j.unlock();
          j.availableAt = null;
        }
      }
      state.changed.signalAll();
    } finally {
      state.lock.unlock();
    }
  }

  /** Drops the messages waiting for a subscription; for {@link InMemoryEngine#close()}. */
  void dropMessages() {
    messages.close();
  }

  @Override
  public String toString() {
    return "InMemoryEngine.processClient()";
  }
}
