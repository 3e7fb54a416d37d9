package io.polyworker.testkit.memory;

import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.Engine;
import io.polyworker.EngineUnavailableException;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.JobAlreadyCompletedException;
import io.polyworker.JobLockLostException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ResultRejectedException;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessInstanceFailedException;
import io.polyworker.ProcessResult;
import io.polyworker.PublishMessage;
import io.polyworker.StartProcess;
import io.polyworker.VariableException;
import io.polyworker.support.internal.InstanceFollower;
import io.polyworker.internal.Json;
import io.polyworker.support.internal.MessageCorrelator;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineCapabilities;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.InstanceState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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

  private final Clock clock;
  private final boolean longPolling;
  private final EngineCapabilities capabilities;
  private final JobClient jobClient = new JobClient();
  private final Processes processClient = new Processes();
  private final ExecutorService longPolls;
  private final MessageCorrelator messages = new MessageCorrelator(ID);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // guarded by lock
  private final Map<String, List<Definition>> definitions = new HashMap<>();
  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final Map<String, JobState> jobs = new LinkedHashMap<>();
  private final Map<Operation, Deque<Supplier<? extends PolyworkerException>>> faults =
      new EnumMap<>(Operation.class);
  private long sequence;
  private boolean closed;

  private final Map<Operation, AtomicInteger> calls = new EnumMap<>(Operation.class);
  private final AtomicInteger fetchesInFlight = new AtomicInteger();
  private final AtomicInteger peakFetches = new AtomicInteger();
  private volatile boolean down;

  private InMemoryEngine(Builder b) {
    this.clock = b.clock;
    this.longPolling = b.longPolling;
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
      caps.with(Capability.LONG_POLLING);
    } else {
      caps.without(Capability.LONG_POLLING,
          "long polling is off for this in-memory engine (InMemoryEngine.builder().longPolling(true))");
    }
    this.capabilities = caps.build();
    for (Operation op : Operation.values()) {
      calls.put(op, new AtomicInteger());
      faults.put(op, new ArrayDeque<>());
    }
    AtomicInteger threads = new AtomicInteger();
    this.longPolls = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "inmemory-engine-long-poll-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
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
    return ID;
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
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    longPolls.shutdown();
    messages.close();
  }

  // ------------------------------------------------------------------ fault injection and counts

  /**
   * Makes the next {@code times} calls of {@code operation} throw what {@code error} supplies (for
   * fetch: complete the future exceptionally) instead of doing anything. Use an
   * {@link EngineUnavailableException} for a transient failure, any other {@link PolyworkerException}
   * for a permanent one.
   */
  public void failNext(Operation operation, int times, Supplier<? extends PolyworkerException> error) {
    Objects.requireNonNull(error, "error");
    if (times < 0) {
      throw new IllegalArgumentException("times < 0: " + times);
    }
    lock.lock();
    try {
      for (int i = 0; i < times; i++) {
        faults.get(operation).add(error);
      }
    } finally {
      lock.unlock();
    }
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
    this.down = isDown;
  }

  /** How often an operation was called (injected failures included) since creation or {@link #resetCounts()}. */
  public int calls(Operation operation) {
    return calls.get(operation).get();
  }

  /** Fetches not yet answered (long polls waiting, or futures not yet completed). */
  public int fetchesInFlight() {
    return fetchesInFlight.get();
  }

  /** The most fetches that were in flight at the same time since creation or {@link #resetCounts()}. */
  public int peakConcurrentFetches() {
    return peakFetches.get();
  }

  /** Sets call counts and the fetch peak back to zero. */
  public void resetCounts() {
    calls.values().forEach(c -> c.set(0));
    peakFetches.set(fetchesInFlight.get());
  }

  // ------------------------------------------------------------------ inspection

  /** Snapshots of all jobs ever created, oldest first. */
  public List<InMemoryJob> jobs() {
    lock.lock();
    try {
      List<InMemoryJob> result = new ArrayList<>();
      for (JobState j : jobs.values()) {
        result.add(j.snapshot());
      }
      return result;
    } finally {
      lock.unlock();
    }
  }

  /** A snapshot of one job. */
  public Optional<InMemoryJob> job(String jobId) {
    lock.lock();
    try {
      JobState j = jobs.get(jobId);
      return j == null ? Optional.empty() : Optional.of(j.snapshot());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Where an instance is: {@link InstanceState#TERMINATED} once cancelled, {@link InstanceState#UNKNOWN}
   * for ids this engine never started.
   */
  public InstanceState instanceState(String processInstanceId) {
    lock.lock();
    try {
      Instance i = instances.get(processInstanceId);
      return i == null ? InstanceState.UNKNOWN : i.state;
    } finally {
      lock.unlock();
    }
  }

  /** Whether a job of the instance failed with no retries left. */
  public boolean hasIncident(String processInstanceId) {
    lock.lock();
    try {
      return jobs.values().stream().anyMatch(j -> j.instance.id.equals(processInstanceId)
          && j.state == InMemoryJob.State.INCIDENT);
    } finally {
      lock.unlock();
    }
  }

  /** A copy of the instance's process variables; empty for unknown instances. */
  public Map<String, @Nullable Object> processVariables(String processInstanceId) {
    lock.lock();
    try {
      Instance i = instances.get(processInstanceId);
      return i == null ? new LinkedHashMap<>() : Values.copyMap(i.variables);
    } finally {
      lock.unlock();
    }
  }

  /** A copy of the task-local variables set when the task {@code elementId} completed. */
  public Map<String, @Nullable Object> localVariables(String processInstanceId, String elementId) {
    lock.lock();
    try {
      Instance i = instances.get(processInstanceId);
      Map<String, @Nullable Object> local = i == null ? null : i.localVariables.get(elementId);
      return local == null ? new LinkedHashMap<>() : Values.copyMap(local);
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ state

  private record Definition(String key, String id, int version, String resourceName,
      BpmnModel.Process model) {}

  private static final class Instance {
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

  private static final class JobState {
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

  private String nextId(String prefix) {
    return prefix + "-" + (++sequence);
  }

  /** Creates an instance and moves its token from {@code startId} on. Call with the lock held. */
  private Instance newInstance(Definition definition, Map<String, @Nullable Object> variables,
      @Nullable String businessKey, String startId) {
    Instance instance = new Instance(nextId("instance"), definition, businessKey);
    instance.variables.putAll(variables);
    instances.put(instance.id, instance);
    advance(instance, startId);
    return instance;
  }

  /** Moves the instance's token from {@code nodeId} on, to the next service task or an end event. */
  private void advance(Instance instance, String nodeId) {
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

  /** Counts the call and throws an injected failure or the closed state. Call before taking the lock. */
  private void enter(Operation op) {
    calls.get(op).incrementAndGet();
    Supplier<? extends PolyworkerException> fault;
    lock.lock();
    try {
      if (closed) {
        throw new PolyworkerException(ID, op.operationName(), -1, null, "the engine is closed", null);
      }
      fault = faults.get(op).poll();
    } finally {
      lock.unlock();
    }
    if (fault != null) {
      throw fault.get();
    }
  }

  private JobState owned(LockedJob job, String workerId, Operation op) {
    JobState j = jobs.get(job.id());
    String name = op.operationName();
    if (j == null) {
      throw new NotFoundException(ID, name, 404, null, "job " + job.id() + " does not exist", null);
    }
    if (j.state == InMemoryJob.State.CANCELLED) {
      throw new NotFoundException(ID, name, 404, null, "job " + job.id() + " does not exist any more:"
          + " its process instance " + j.instance.id + " was cancelled", null);
    }
    if (j.state == InMemoryJob.State.COMPLETED || j.state == InMemoryJob.State.BPMN_ERROR) {
      throw new JobAlreadyCompletedException(ID, name, 404, null, "job " + job.id()
          + " has already ended (" + j.state + ")", null);
    }
    if (j.lockOwner == null) {
      throw new JobLockLostException(ID, name, 400, null, "job " + job.id()
          + " is not locked by worker " + workerId + " (it is not locked at all)", null);
    }
    if (!j.lockOwner.equals(workerId)) {
      throw new JobLockLostException(ID, name, 400, null, "job " + job.id() + " is locked by worker "
          + j.lockOwner + ", not by " + workerId, null);
    }
    return j;
  }

  private List<LockedJob> lockJobs(FetchRequest r) {
    Instant now = clock.instant();
    List<LockedJob> out = new ArrayList<>();
    if (r.tenantIds() != null) {
      return out; // no job has a tenant
    }
    for (JobState j : jobs.values()) {
      if (out.size() >= r.maxJobs()) {
        break;
      }
      if (!j.task.topic().equals(r.topic()) || !j.fetchable(now)
          || (r.businessKey() != null && !r.businessKey().equals(j.instance.businessKey))
          || (r.processDefinitionKey() != null
              && !r.processDefinitionKey().equals(j.instance.definition.key()))) {
        continue;
      }
      j.lockOwner = r.workerId();
      j.lockExpiresAt = now.plus(r.lockDuration());
      j.availableAt = null;
      out.add(locked(j, r.variables()));
    }
    return out;
  }

  private LockedJob locked(JobState j, @Nullable List<String> names) {
    Map<String, @Nullable Object> vars = new LinkedHashMap<>();
    for (Map.Entry<String, @Nullable Object> e : j.instance.variables.entrySet()) {
      if (names == null || names.contains(e.getKey())) {
        vars.put(e.getKey(), Values.copy(e.getValue()));
      }
    }
    return LockedJob.builder()
        .engine(ID)
        .id(j.id)
        .topic(j.task.topic())
        .processInstanceId(j.instance.id)
        .processDefinitionKey(j.instance.definition.key())
        .elementId(j.task.elementId())
        .businessKey(j.instance.businessKey)
        .retries(j.retries)
        .lockExpiresAt(j.lockExpiresAt)
        .headers(j.task.headers())
        .variables(vars)
        .nativeJob(j.snapshot())
        .build();
  }

  /**
   * A fetch in flight. It leaves the in-flight count before its future completes, so that a caller
   * woken by the completion who fetches again at once is not counted twice.
   */
  private final class PendingFetch {
    final CompletableFuture<List<LockedJob>> future = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);

    PendingFetch() {
      peakFetches.accumulateAndGet(fetchesInFlight.incrementAndGet(), Math::max);
      future.whenComplete((jobs, error) -> {
        leave();
        signal(); // wakes the long poll of a cancelled fetch
      });
    }

    private void leave() {
      if (open.compareAndSet(true, false)) {
        fetchesInFlight.decrementAndGet();
      }
    }

    boolean isDone() {
      return future.isDone();
    }

    boolean complete(List<LockedJob> jobs) {
      if (future.isDone()) {
        return false;
      }
      leave();
      return future.complete(jobs);
    }

    void fail(Throwable error) {
      leave();
      future.completeExceptionally(error);
    }
  }

  private void longPoll(FetchRequest r, PendingFetch result, long deadline) {
    lock.lock();
    try {
      while (!result.isDone()) {
        if (closed) {
          result.fail(new EngineUnavailableException(ID, "fetchAndLock", -1, null,
              "the engine closed during a long poll", null));
          return;
        }
        List<LockedJob> got = lockJobs(r);
        if (!got.isEmpty()) {
          if (!result.complete(got)) {
            for (LockedJob j : got) {
              jobs.get(j.id()).unlock(); // cancelled meanwhile: nobody will see these locks
            }
          }
          return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          result.complete(List.of());
          return;
        }
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      result.fail(new EngineUnavailableException(ID, "fetchAndLock", -1, null,
          "the long poll was interrupted", e));
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      result.fail(e);
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ clients

  private final class JobClient implements EngineClient {

    @Override
    public String engineId() {
      return ID;
    }

    @Override
    public EngineCapabilities capabilities() {
      return capabilities;
    }

    @Override
    public CompletableFuture<List<LockedJob>> fetchAndLock(FetchRequest request) {
      Objects.requireNonNull(request, "request");
      PendingFetch result = new PendingFetch();
      try {
        enter(Operation.FETCH_AND_LOCK);
        if (down) {
          throw new EngineUnavailableException(ID, "fetchAndLock", -1, null,
              "connection refused (the in-memory engine is down)", null);
        }
        Duration wait = longPolling ? request.longPollTimeout() : Duration.ZERO;
        if (wait.isZero()) {
          lock.lock();
          try {
            result.complete(lockJobs(request));
          } finally {
            lock.unlock();
          }
        } else {
          long deadline = System.nanoTime() + wait.toNanos();
          longPolls.execute(() -> longPoll(request, result, deadline));
        }
      } catch (RejectedExecutionException e) {
        result.fail(new PolyworkerException(ID, "fetchAndLock", -1, null,
            "the engine is closed", e));
      } catch (RuntimeException e) {
        result.fail(e);
      }
      return result.future;
    }

    @Override
    public void complete(LockedJob job, String workerId, Map<String, ? extends @Nullable Object> variables,
        Map<String, ? extends @Nullable Object> localVariables) {
      enter(Operation.COMPLETE);
      Map<String, @Nullable Object> vars = Values.encode(variables, Operation.COMPLETE);
      Map<String, @Nullable Object> local = Values.encode(localVariables, Operation.COMPLETE);
      lock.lock();
      try {
        JobState j = owned(job, workerId, Operation.COMPLETE);
        j.instance.variables.putAll(vars);
        if (!local.isEmpty()) {
          j.instance.localVariables.computeIfAbsent(j.task.elementId(), k -> new LinkedHashMap<>())
              .putAll(local);
        }
        j.state = InMemoryJob.State.COMPLETED;
        j.unlock();
        advance(j.instance, Objects.requireNonNull(j.instance.definition.model().next()
            .get(j.task.elementId())));
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void fail(LockedJob job, String workerId, String errorMessage, @Nullable String errorDetails,
        int retries, Duration retryBackoff) {
      enter(Operation.FAIL);
      if (retries < 0 || retryBackoff.isNegative()) {
        // What the real engines refuse as the content of the failure, not as a state of the job.
        throw new ResultRejectedException(ID, "fail", 400, null, "retries < 0 or retryBackoff < 0",
            null);
      }
      lock.lock();
      try {
        JobState j = owned(job, workerId, Operation.FAIL);
        j.retries = retries;
        j.errorMessage = errorMessage;
        j.errorDetails = errorDetails;
        j.unlock();
        if (retries == 0) {
          j.state = InMemoryJob.State.INCIDENT;
        } else {
          j.availableAt = clock.instant().plus(retryBackoff);
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void bpmnError(LockedJob job, String workerId, String errorCode, @Nullable String errorMessage,
        Map<String, ? extends @Nullable Object> variables) {
      enter(Operation.BPMN_ERROR);
      Map<String, @Nullable Object> vars = Values.encode(variables, Operation.BPMN_ERROR);
      lock.lock();
      try {
        JobState j = owned(job, workerId, Operation.BPMN_ERROR);
        j.instance.variables.putAll(vars);
        j.state = InMemoryJob.State.BPMN_ERROR;
        j.errorMessage = errorMessage;
        j.unlock();
        BpmnModel.Process model = j.instance.definition.model();
        BpmnModel.Boundary boundary = model.catching(j.task.elementId(), errorCode);
        if (boundary != null) {
          advance(j.instance, Objects.requireNonNull(model.next().get(boundary.id())));
        } else {
          j.instance.state = InstanceState.COMPLETED; // uncaught: the instance ends, as in Camunda 7
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public Instant extendLock(LockedJob job, String workerId, Duration duration) {
      enter(Operation.EXTEND_LOCK);
      lock.lock();
      try {
        JobState j = owned(job, workerId, Operation.EXTEND_LOCK);
        Instant now = clock.instant();
        if (!now.isBefore(Objects.requireNonNull(j.lockExpiresAt))) {
          throw new JobLockLostException(ID, "extendLock", 400, null, "the lock of job " + j.id
              + " expired at " + j.lockExpiresAt + " and cannot be extended", null);
        }
        j.lockExpiresAt = now.plus(duration);
        return j.lockExpiresAt;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void release(LockedJob job, String workerId) {
      enter(Operation.RELEASE);
      lock.lock();
      try {
        JobState j = owned(job, workerId, Operation.RELEASE);
        j.unlock();
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** Closes the whole engine. */
    @Override
    public void close() {
      InMemoryEngine.this.close();
    }

    @Override
    public String toString() {
      return "InMemoryEngine.jobClient()";
    }
  }

  private final class Processes implements ProcessClient {

    @Override
    public List<DeployedDefinition> deploy(DeploymentResource... resources) {
      enter(Operation.DEPLOY);
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
      lock.lock();
      try {
        checkKeysAndStartMessages(parsed, names);
        List<DeployedDefinition> result = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
          BpmnModel.Process p = parsed.get(i);
          List<Definition> versions = definitions.computeIfAbsent(p.key(), k -> new ArrayList<>());
          int version = versions.size() + 1;
          Definition d = new Definition(p.key(), p.key() + ":" + version + ":" + nextId("def"),
              version, names.get(i), p);
          versions.add(d);
          result.add(new DeployedDefinition(d.key(), d.id(), d.version(), d.resourceName()));
        }
        return Collections.unmodifiableList(result);
      } finally {
        lock.unlock();
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
      for (Map.Entry<String, List<Definition>> e : definitions.entrySet()) {
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
      enter(Operation.START_PROCESS);
      return start(request, Operation.START_PROCESS);
    }

    @Override
    public ProcessResult startProcessAndAwait(StartProcess request, Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("timeout < 0: " + timeout);
      }
      enter(Operation.START_PROCESS_AND_AWAIT);
      String id = start(request, Operation.START_PROCESS_AND_AWAIT);
      return InstanceFollower.await(ID, id, timeout, () -> check(id, request.fetchVariables()));
    }

    private String start(StartProcess request, Operation op) {
      Map<String, @Nullable Object> vars = Values.encode(request.variables(), op);
      lock.lock();
      try {
        Definition definition = definition(request, op);
        String startId = definition.model().noneStartId();
        if (startId == null) {
          throw new PolyworkerException(ID, op.operationName(), 400, null, "process '"
              + definition.key() + "' (version " + definition.version() + ") has no none start event;"
              + " it starts only when one of the messages " + definition.model().messageStarts().keySet()
              + " is published", null);
        }
        return newInstance(definition, vars, request.businessKey(), startId).id;
      } finally {
        lock.unlock();
      }
    }

    private Definition definition(StartProcess request, Operation op) {
      List<Definition> versions = definitions.get(request.processKey());
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
      lock.lock();
      try {
        if (closed) {
          throw new PolyworkerException(ID, "startProcessAndAwait", -1, null, "the engine closed while"
              + " process instance " + id + " was awaited", null);
        }
        Instance instance = Objects.requireNonNull(instances.get(id), id);
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
            for (JobState j : jobs.values()) {
              if (j.instance == instance && j.state == InMemoryJob.State.INCIDENT) {
                throw new ProcessInstanceFailedException(ID, id, "raised an incident (failedExternalTask at "
                    + j.task.elementId() + "): " + j.errorMessage);
              }
            }
            return null;
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public @Nullable String publishMessage(PublishMessage message) {
      enter(Operation.PUBLISH_MESSAGE);
      Map<String, @Nullable Object> vars = Values.encode(message.variables(), Operation.PUBLISH_MESSAGE);
      return messages.publish(message, m -> correlate(m, vars));
    }

    /** Correlates once: to the one waiting instance or message start event, or throws NotFound. */
    private String correlate(PublishMessage message, Map<String, @Nullable Object> vars) {
      String op = Operation.PUBLISH_MESSAGE.operationName();
      lock.lock();
      try {
        if (closed) {
          throw new PolyworkerException(ID, op, -1, null, "the engine is closed", null);
        }
        List<Instance> waiting = new ArrayList<>();
        for (Instance i : instances.values()) {
          if (i.state == InstanceState.ACTIVE && i.waitingAt != null
              && message.name().equals(i.definition.model().catchEvents().get(i.waitingAt))
              && correlates(i, message)) {
            waiting.add(i);
          }
        }
        List<Definition> starting = new ArrayList<>();
        for (List<Definition> versions : definitions.values()) {
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
          advance(i, Objects.requireNonNull(i.definition.model().next().get(catchEvent)));
          return i.id;
        }
        Definition d = starting.get(0);
        String businessKey = message.correlationVariable() == null ? message.correlationKey() : null;
        return newInstance(d, Values.copyMap(vars), businessKey,
            Objects.requireNonNull(d.model().messageStarts().get(message.name()))).id;
      } finally {
        lock.unlock();
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
      enter(Operation.CANCEL_PROCESS_INSTANCE);
      String op = Operation.CANCEL_PROCESS_INSTANCE.operationName();
      lock.lock();
      try {
        Instance instance = instances.get(processInstanceId);
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
        for (JobState j : jobs.values()) {
          if (j.instance == instance
              && (j.state == InMemoryJob.State.ACTIVE || j.state == InMemoryJob.State.INCIDENT)) {
            j.state = InMemoryJob.State.CANCELLED;
            j.unlock();
            j.availableAt = null;
          }
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public String toString() {
      return "InMemoryEngine.processClient()";
    }
  }

  @Override
  public String toString() {
    return "InMemoryEngine[longPolling=" + longPolling + ", clock=" + clock + "]";
  }

  /** Builds an {@link InMemoryEngine}. Not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private boolean longPolling;

    private Builder() {}

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

    public InMemoryEngine build() {
      return new InMemoryEngine(this);
    }
  }
}
