package io.polyworker.testkit.memory;

import io.polyworker.engine.Engine;
import io.polyworker.EngineUnavailableException;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.JobAlreadyCompletedException;
import io.polyworker.JobLockLostException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ProcessClient;
import io.polyworker.PublishMessage;
import io.polyworker.StartProcess;
import io.polyworker.VariableException;
import io.polyworker.internal.Json;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineCapabilities;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.support.internal.InstanceFollower;
import io.polyworker.support.internal.MessageCorrelator;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.memory.EngineState.Instance;
import io.polyworker.testkit.memory.EngineState.JobState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A process engine that lives in memory, for fast unit tests of handlers and of code that drives a
 * {@code io.polyworker.worker.JobWorker}. It passes the same conformance kit as the real engines.
 *
 * <pre>{@code
 * try (InMemoryEngine engine = InMemoryEngine.create();
 *      JobWorker worker = JobWorker.builder(engine).subscribe("charge", new ChargeHandler()).build().start()) {
 *   engine.processClient().deploy(DeploymentResource.of("p.bpmn",
 *       TestProcess.named("p").task("charge", "charge").toXml(Dialect.CAMUNDA)));
 *   String instance = engine.processClient().startProcess("p", Map.of("amount", 10));
 *   await().until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
 *   assertThat(engine.processVariables(instance)).containsEntry("charged", true);
 * }
 * }</pre>
 *
 * <p><b>What it runs.</b> BPMN made of a none start event and/or message start events, external
 * service tasks and intermediate message catch events in sequence (topic from {@code camunda:topic},
 * {@code flowable:topic} or {@code zeebe:taskDefinition type}, so
 * {@link io.polyworker.testkit.common.TestProcess} in any {@link io.polyworker.testkit.common.Dialect} works), end
 * events, and error boundary events on service tasks. Other elements are rejected at deploy time
 * with an {@link InvalidDefinitionException} naming them.
 *
 * <p><b>How it behaves</b> follows Camunda 7's external tasks: a fetch locks jobs for the requested
 * duration, measured by this engine's {@link Clock}; an expired lock lets another worker fetch the
 * job, after which results of the first worker raise {@link JobLockLostException} (as long as nobody
 * took the job over, the first worker's result is still accepted, as in Camunda). Retries are
 * {@code null} until the first failure; a failure with retries left hides the job for its backoff;
 * a failure with no retries left raises an incident and the job is never offered again. A BPMN error
 * is caught by a matching error boundary event; without one, the instance ends (without incident),
 * as Camunda 7 does. Results for jobs that ended raise {@link JobAlreadyCompletedException}; for
 * unknown ids, {@link NotFoundException}. Long polling is off unless
 * {@link Builder#longPolling(boolean)} turns it on; then, as in Camunda, a waiting fetch is answered
 * when a job is created or handed back (released, failed), not when a lock expires or a backoff
 * passes: such jobs are found by the next fetch.
 *
 * <p><b>The process client</b> also follows Camunda 7. Each deployment of a key adds a version;
 * {@link StartProcess} can name one (definitions have no tenant, so a tenant is never found).
 * Starting a process without a none start event is refused
 * ({@link Capability#START_NEEDS_NONE_START_EVENT}; Camunda itself would start it). Start-and-await
 * follows the instance with {@link InstanceFollower} and fails fast on an incident or a cancellation
 * ({@link Capability#AWAIT_FAILS_FAST}). A message is correlated at once to exactly one instance
 * waiting at an intermediate catch event for it whose business key (or the variable
 * {@link PublishMessage#correlationVariable()}) equals the correlation key, or to the latest version
 * of the one process whose message start event waits for it (the correlation key becomes the
 * business key when no correlation variable is named, as Camunda does with the client's request);
 * its variables become process variables. No match raises {@link NotFoundException}, several a
 * {@link PolyworkerException}. Messages are not buffered ({@link Capability#MESSAGE_BUFFERING} is
 * missing): a time to live and a message id work through {@link MessageCorrelator}, as on Camunda.
 * A cancelled instance is {@link InstanceState#TERMINATED}; its jobs are
 * {@link InMemoryJob.State#CANCELLED} and results for them raise {@link NotFoundException}, as for a
 * deleted Camunda external task.
 *
 * <p><b>Variables</b> are kept as plain Java and copied in and out, so neither callers nor handlers
 * can change the engine's state through a map they hold. Values other than strings, numbers,
 * booleans, dates and byte arrays go through JSON ({@link Json#MAPPER}), as the real engines store
 * them: a POJO comes back as a {@code Map}, and a value Jackson cannot serialize raises a
 * {@link VariableException} naming the variable. Dates come back as {@link Instant}.
 *
 * <p><b>For runtime tests</b> it counts calls per {@link Operation} ({@link #calls(Operation)}),
 * tracks fetches in flight ({@link #peakConcurrentFetches()}), makes the next calls of an operation
 * fail ({@link #failNext(Operation, int, Supplier)}) and simulates an engine that is down for fetching
 * ({@link #down(boolean)}).
 *
 * <p>Thread-safe: one lock guards all state. Engine id {@value #ID}.
 */
public final class InMemoryEngine implements Engine {
  /** The engine id in jobs and exceptions. */
  public static final String ID = "inmemory";

  /** The operations of the engine, for call counts and fault injection. */
  public enum Operation {
    FETCH_AND_LOCK("fetchAndLock"),
    COMPLETE("complete"),
    FAIL("fail"),
    BPMN_ERROR("bpmnError"),
    EXTEND_LOCK("extendLock"),
    RELEASE("release"),
    JOBS_WAITING("jobsWaiting"),
    DEPLOY("deploy"),
    START_PROCESS("startProcess"),
    START_PROCESS_AND_AWAIT("startProcessAndAwait"),
    PUBLISH_MESSAGE("publishMessage"),
    CANCEL_PROCESS_INSTANCE("cancelProcessInstance");

    private final String operationName;

    Operation(String operationName) {
      this.operationName = operationName;
    }

    /** The name used in exceptions ({@link PolyworkerException#operation()}). */
    public String operationName() {
      return operationName;
    }
  }

  // This class is the facade: EngineState holds the state, InMemoryJobClient and
  // InMemoryProcessClient are the clients, Faults injects failures and counts calls, Values encodes
  // variables.
  private final String id;
  private final Clock clock;
  private final boolean longPolling;
  private final EngineCapabilities capabilities;
  private final EngineState state = new EngineState();
  private final Faults faults = new Faults(state);
  private final InMemoryJobClient jobClient;
  private final InMemoryProcessClient processClient;

  private InMemoryEngine(Builder b) {
    this.clock = b.clock;
    this.longPolling = b.longPolling;
    this.id = b.id;
    EngineCapabilities.Builder caps = EngineCapabilities.builder()
        .with(Capability.LOCK_EXTENSION, Capability.RELEASE, Capability.LOCK_OWNERSHIP,
            Capability.LOCAL_VARIABLES, Capability.BUSINESS_KEYS, Capability.BUSINESS_KEY_FILTER,
            Capability.PROCESS_DEFINITION_FILTER, Capability.VARIABLE_FILTER, Capability.INCIDENTS,
            Capability.AWAIT_FAILS_FAST, Capability.START_NEEDS_NONE_START_EVENT)
        .without(Capability.STREAMING, "the in-memory engine does not push jobs")
        .without(Capability.TENANT_FILTER, "the in-memory engine has no tenants")
        .without(Capability.PRIORITY, "the in-memory engine has no job priorities")
        .without(Capability.CMMN, "the in-memory engine runs BPMN only")
        .without(Capability.MESSAGE_BUFFERING, "the in-memory engine correlates messages only to"
            + " waiting subscriptions, as Camunda 7; the client retries messages with a time to live");
    if (longPolling) {
      caps.with(Capability.LONG_POLLING, Capability.MULTI_TOPIC_FETCH);
    } else {
      caps.without(Capability.LONG_POLLING,
          "long polling is off for this in-memory engine (InMemoryEngine.builder().longPolling(true))");
      caps.without(Capability.MULTI_TOPIC_FETCH, "the in-memory engine fetches several topics at once"
          + " only with long polling (InMemoryEngine.builder().longPolling(true)), as Camunda 7 does");
    }
    if (b.jobProbe) {
      caps.with(Capability.JOB_PROBE);
    } else {
      caps.without(Capability.JOB_PROBE, "the in-memory engine answers whether jobs wait only with"
          + " InMemoryEngine.builder().jobProbe(true), as Flowable does");
    }
    this.capabilities = caps.build();
    this.jobClient = new InMemoryJobClient(id, state, faults, clock, longPolling, capabilities, this::close);
    this.processClient = new InMemoryProcessClient(state, faults);
  }

  /** An engine on the system clock without long polling. */
  public static InMemoryEngine create() {
    return builder().build();
  }

  /** A builder; defaults: system UTC clock, long polling off. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public EngineCapabilities capabilities() {
    return capabilities;
  }

  @Override
  public ProcessClient processClient() {
    return processClient;
  }

  @Override
  public EngineClient jobClient() {
    return jobClient;
  }

  /**
   * Closes the engine: open long polls end with an exception, messages waiting for a subscription are
   * dropped, and further calls fail. Idempotent.
   */
  @Override
  public void close() {
    state.close();
    jobClient.stopLongPolls();
    processClient.dropMessages();
  }

  // ------------------------------------------------------------------ fault injection and counts

  /**
   * Makes the next {@code times} calls of {@code operation} throw what {@code error} supplies (for
   * fetch: complete the future exceptionally) instead of doing anything. Use an
   * {@link EngineUnavailableException} for a transient failure, any other {@link PolyworkerException}
   * for a permanent one.
   */
  public void failNext(Operation operation, int times, Supplier<? extends PolyworkerException> error) {
    faults.failNext(operation, times, error);
  }

  /** A transient failure as a real engine would raise it when unreachable, for {@link #failNext}. */
  public static EngineUnavailableException unavailable(Operation operation) {
    return new EngineUnavailableException(ID, operation.operationName(), 503, "Service Unavailable",
        "engine unavailable (injected)", null);
  }

  /**
   * Switches fetching off ({@code true}: every fetch fails with an {@link EngineUnavailableException},
   * as when the engine is down) or on again.
   */
  public void down(boolean isDown) {
    faults.down(isDown);
  }

  /** How often an operation was called (injected failures included) since creation or {@link #resetCounts()}. */
  public int calls(Operation operation) {
    return faults.calls(operation);
  }

  /** Fetches not yet answered (long polls waiting, or futures not yet completed). */
  public int fetchesInFlight() {
    return faults.fetchesInFlight();
  }

  /** The most fetches that were in flight at the same time since creation or {@link #resetCounts()}. */
  public int peakConcurrentFetches() {
    return faults.peakConcurrentFetches();
  }

  /** Sets call counts and the fetch peak back to zero. */
  public void resetCounts() {
    faults.resetCounts();
  }

  // ------------------------------------------------------------------ inspection

  /** Snapshots of all jobs ever created, oldest first. */
  public List<InMemoryJob> jobs() {
    state.lock.lock();
    try {
      List<InMemoryJob> result = new ArrayList<>();
      for (JobState j : state.jobs.values()) {
        result.add(j.snapshot());
      }
      return result;
    } finally {
      state.lock.unlock();
    }
  }

  /** A snapshot of one job. */
  public Optional<InMemoryJob> job(String jobId) {
    state.lock.lock();
    try {
      JobState j = state.jobs.get(jobId);
      return j == null ? Optional.empty() : Optional.of(j.snapshot());
    } finally {
      state.lock.unlock();
    }
  }

  /**
   * Where an instance is: {@link InstanceState#TERMINATED} once cancelled, {@link InstanceState#UNKNOWN}
   * for ids this engine never started.
   */
  public InstanceState instanceState(String processInstanceId) {
    state.lock.lock();
    try {
      Instance i = state.instances.get(processInstanceId);
      return i == null ? InstanceState.UNKNOWN : i.state;
    } finally {
      state.lock.unlock();
    }
  }

  /** Whether a job of the instance failed with no retries left. */
  public boolean hasIncident(String processInstanceId) {
    state.lock.lock();
    try {
      return state.jobs.values().stream().anyMatch(j -> j.instance.id.equals(processInstanceId)
          && j.state == InMemoryJob.State.INCIDENT);
    } finally {
      state.lock.unlock();
    }
  }

  /** A copy of the instance's process variables; empty for unknown instances. */
  public Map<String, @Nullable Object> processVariables(String processInstanceId) {
    state.lock.lock();
    try {
      Instance i = state.instances.get(processInstanceId);
      return i == null ? new LinkedHashMap<>() : Values.copyMap(i.variables);
    } finally {
      state.lock.unlock();
    }
  }

  /** A copy of the task-local variables set when the task {@code elementId} completed. */
  public Map<String, @Nullable Object> localVariables(String processInstanceId, String elementId) {
    state.lock.lock();
    try {
      Instance i = state.instances.get(processInstanceId);
      Map<String, @Nullable Object> local = i == null ? null : i.localVariables.get(elementId);
      return local == null ? new LinkedHashMap<>() : Values.copyMap(local);
    } finally {
      state.lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "InMemoryEngine[longPolling=" + longPolling + ", jobProbe="
        + capabilities.has(Capability.JOB_PROBE) + ", clock=" + clock + "]";
  }

  /** Builds an {@link InMemoryEngine}. Not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private boolean longPolling;
    private boolean jobProbe;
    private String id = ID;

    private Builder() {}

    /**
     * The engine id jobs and the worker see ({@code Job.engine()}, events); default {@value InMemoryEngine#ID}.
     * Two engines with different ids can stand for two engines behind one worker.
     */
    public Builder id(String id) {
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("id is blank");
      }
      this.id = id;
      return this;
    }

    /**
     * The clock for lock expiry and retry backoff; default {@link Clock#systemUTC()}. A worker
     * measures lock time on the system clock, so keep the default when running a
     * {@code io.polyworker.worker.JobWorker} against this engine.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Whether fetches honour {@link FetchRequest#longPollTimeout()} by waiting until a job is due
     * (and whether {@link Capability#LONG_POLLING} is present); default false.
     */
    public Builder longPolling(boolean longPolling) {
      this.longPolling = longPolling;
      return this;
    }

    /**
     * Whether the engine answers {@link io.polyworker.spi.EngineClient#jobsWaiting} (and whether
     * {@link Capability#JOB_PROBE} is present), per topic; default false.
     */
    public Builder jobProbe(boolean jobProbe) {
      this.jobProbe = jobProbe;
      return this;
    }

    public InMemoryEngine build() {
      return new InMemoryEngine(this);
    }
  }
}
