package io.polyworker.testkit.memory;

import io.polyworker.testkit.common.InstanceState;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link InMemoryEngine} knows: deployed definitions, process instances and jobs, and how an
 * instance's token moves through its process. One lock guards all of it (and the injected faults,
 * see {@link Faults}); {@link #changed} wakes long polls when a job is created or handed back, and
 * when the engine closes.
 */
final class EngineState {
  final ReentrantLock lock = new ReentrantLock();
  final Condition changed = lock.newCondition();
  // guarded by lock
  final Map<String, List<Definition>> definitions = new HashMap<>();
  final Map<String, Instance> instances = new LinkedHashMap<>();
  final Map<String, JobState> jobs = new LinkedHashMap<>();
  private long sequence;
  boolean closed;

  /** One deployed version of a process. */
  record Definition(String key, String id, int version, String resourceName,
      BpmnModel.Process model) {}

  /** A process instance and its variables. */
  static final class Instance {
    final String id;
    final Definition definition;
    final @Nullable String businessKey;
    final Map<String, @Nullable Object> variables = new LinkedHashMap<>();
    final Map<String, Map<String, @Nullable Object>> localVariables = new HashMap<>();
    InstanceState state = InstanceState.ACTIVE;
    /** The intermediate message catch event the token waits at, or null. */
    @Nullable String waitingAt;

    Instance(String id, Definition definition, @Nullable String businessKey) {
      this.id = id;
      this.definition = definition;
      this.businessKey = businessKey;
    }
  }

  /** A job of a service task, with its lock and its last failure. */
  static final class JobState {
    final String id;
    final Instance instance;
    final BpmnModel.Task task;
    InMemoryJob.State state = InMemoryJob.State.ACTIVE;
    @Nullable Integer retries;
    @Nullable String lockOwner;
    @Nullable Instant lockExpiresAt;
    @Nullable Instant availableAt;
    @Nullable String errorMessage;
    @Nullable String errorDetails;

    JobState(String id, Instance instance, BpmnModel.Task task) {
      this.id = id;
      this.instance = instance;
      this.task = task;
    }

    boolean fetchable(Instant now) {
      return state == InMemoryJob.State.ACTIVE
          && (lockOwner == null || !now.isBefore(Objects.requireNonNull(lockExpiresAt)))
          && (availableAt == null || !now.isBefore(availableAt));
    }

    void unlock() {
      lockOwner = null;
      lockExpiresAt = null;
    }

    InMemoryJob snapshot() {
      return new InMemoryJob(id, instance.id, task.elementId(), task.topic(), retries, lockOwner,
          lockExpiresAt, availableAt, errorMessage, errorDetails, state, task.headers());
    }
  }

  /** A new id, unique in this engine. Call with the lock held. */
  String nextId(String prefix) {
    return prefix + "-" + (++sequence);
  }

  /** Creates an instance and moves its token from {@code startId} on. Call with the lock held. */
  Instance newInstance(Definition definition, Map<String, @Nullable Object> variables,
      @Nullable String businessKey, String startId) {
    Instance instance = new Instance(nextId("instance"), definition, businessKey);
    instance.variables.putAll(variables);
    instances.put(instance.id, instance);
    advance(instance, startId);
    return instance;
  }

  /**
   * Moves the instance's token from {@code nodeId} on, to the next service task, message catch event
   * or end event. Call with the lock held.
   */
  void advance(Instance instance, String nodeId) {
    BpmnModel.Process model = instance.definition.model();
    String node = nodeId;
    while (true) {
      if (model.isTask(node)) {
        JobState job = new JobState(nextId("job"), instance, model.tasks().get(node));
        jobs.put(job.id, job);
        changed.signalAll();
        return;
      }
      if (model.isCatchEvent(node)) {
        instance.waitingAt = node;
        return;
      }
      if (model.endIds().contains(node)) {
        instance.state = InstanceState.COMPLETED;
        return;
      }
      node = Objects.requireNonNull(model.next().get(node), node);
    }
  }

  /** Marks the engine closed and wakes every long poll. */
  void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every long poll, so that it looks at the jobs again. */
  void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
