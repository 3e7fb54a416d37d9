package io.polyworker.testkit.memory;

import static io.polyworker.testkit.memory.InMemoryEngine.ID;

import io.polyworker.EngineUnavailableException;
import io.polyworker.JobAlreadyCompletedException;
import io.polyworker.JobLockLostException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ResultRejectedException;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineCapabilities;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.support.internal.EngineClientBase;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.memory.EngineState.JobState;
import io.polyworker.testkit.memory.InMemoryEngine.Operation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * {@link InMemoryEngine#jobClient()}: fetches and locks jobs (long polls on daemon threads of its
 * own when {@link InMemoryEngine.Builder#longPolling(boolean)} is on), and takes their results.
 */
final class InMemoryJobClient extends EngineClientBase {
  private final EngineState state;
  private final Faults faults;
  private final Clock clock;
  private final boolean longPolling;
  private final Runnable closeEngine;
  private final ExecutorService longPolls;

  InMemoryJobClient(String engineId, EngineState state, Faults faults, Clock clock, boolean longPolling,
      EngineCapabilities capabilities, Runnable closeEngine) {
    super(engineId, capabilities);
    this.state = state;
    this.faults = faults;
    this.clock = clock;
    this.longPolling = longPolling;
    this.closeEngine = closeEngine;
    AtomicInteger threads = new AtomicInteger();
    this.longPolls = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "inmemory-engine-long-poll-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public CompletableFuture<List<LockedJob>> fetchAndLock(FetchRequest request) {
    Objects.requireNonNull(request, "request");
    return fetch(List.of(request));
  }

  /** Several topics in one fetch; offered (with long polling on) as Camunda 7 does. */
  @Override
  public CompletableFuture<List<LockedJob>> fetchAndLock(List<FetchRequest> requests) {
    if (!capabilities().has(Capability.MULTI_TOPIC_FETCH)) {
      throw new UnsupportedOperationException(capabilities().whyMissing(Capability.MULTI_TOPIC_FETCH));
    }
    return fetch(FetchRequest.requireCombinable(List.copyOf(requests)));
  }

  /** Whether a job of one of the requests' topics could be fetched now; offered with jobProbe(true). */
  @Override
  public boolean jobsWaiting(List<FetchRequest> requests) {
    if (!capabilities().has(Capability.JOB_PROBE)) {
      throw new UnsupportedOperationException(capabilities().whyMissing(Capability.JOB_PROBE));
    }
    faults.enter(Operation.JOBS_WAITING);
    if (faults.isDown()) {
      throw new EngineUnavailableException(ID, "jobsWaiting", -1, null,
          "connection refused (the in-memory engine is down)", null);
    }
    Set<String> topics = new HashSet<>();
    requests.forEach(r -> topics.add(r.topic()));
    Instant now = clock.instant();
    state.lock.lock();
    try {
      return state.jobs.values().stream().anyMatch(j -> topics.contains(j.task.topic()) && j.fetchable(now));
    } finally {
      state.lock.unlock();
    }
  }

  private CompletableFuture<List<LockedJob>> fetch(List<FetchRequest> requests) {
    PendingFetch result = new PendingFetch(faults, state);
    try {
      faults.enter(Operation.FETCH_AND_LOCK);
      if (faults.isDown()) {
        throw new EngineUnavailableException(ID, "fetchAndLock", -1, null,
            "connection refused (the in-memory engine is down)", null);
      }
      Duration wait = longPolling ? requests.get(0).longPollTimeout() : Duration.ZERO;
      if (wait.isZero()) {
        state.lock.lock();
        try {
          result.complete(lockJobs(requests));
        } finally {
          state.lock.unlock();
        }
      } else {
        long deadline = System.nanoTime() + wait.toNanos();
        longPolls.execute(() -> longPoll(requests, result, deadline));
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
    faults.enter(Operation.COMPLETE);
    Map<String, @Nullable Object> vars = Values.encode(variables, Operation.COMPLETE);
    Map<String, @Nullable Object> local = Values.encode(localVariables, Operation.COMPLETE);
    state.lock.lock();
    try {
      JobState j = owned(job, workerId, Operation.COMPLETE);
      j.instance.variables.putAll(vars);
      if (!local.isEmpty()) {
        j.instance.localVariables.computeIfAbsent(j.task.elementId(), k -> new LinkedHashMap<>())
            .putAll(local);
      }
      j.state = InMemoryJob.State.COMPLETED;
      j.unlock();
      state.advance(j.instance, Objects.requireNonNull(j.instance.definition.model().next()
          .get(j.task.elementId())));
    } finally {
      state.lock.unlock();
    }
  }

  @Override
  public void fail(LockedJob job, String workerId, String errorMessage, @Nullable String errorDetails,
      int retries, Duration retryBackoff) {
    faults.enter(Operation.FAIL);
    if (retries < 0 || retryBackoff.isNegative()) {
      // What the real engines refuse as the content of the failure, not as a state of the job.
      throw new ResultRejectedException(ID, "fail", 400, null, "retries < 0 or retryBackoff < 0",
          null);
    }
    state.lock.lock();
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
      state.changed.signalAll();
    } finally {
      state.lock.unlock();
    }
  }

  @Override
  public void bpmnError(LockedJob job, String workerId, String errorCode, @Nullable String errorMessage,
      Map<String, ? extends @Nullable Object> variables) {
    faults.enter(Operation.BPMN_ERROR);
    Map<String, @Nullable Object> vars = Values.encode(variables, Operation.BPMN_ERROR);
    state.lock.lock();
    try {
      JobState j = owned(job, workerId, Operation.BPMN_ERROR);
      j.instance.variables.putAll(vars);
      j.state = InMemoryJob.State.BPMN_ERROR;
      j.errorMessage = errorMessage;
      j.unlock();
      BpmnModel.Process model = j.instance.definition.model();
      BpmnModel.Boundary boundary = model.catching(j.task.elementId(), errorCode);
      if (boundary != null) {
        state.advance(j.instance, Objects.requireNonNull(model.next().get(boundary.id())));
      } else {
        j.instance.state = InstanceState.COMPLETED; // uncaught: the instance ends, as in Camunda 7
      }
    } finally {
      state.lock.unlock();
    }
  }

  @Override
  public Instant extendLock(LockedJob job, String workerId, Duration duration) {
    faults.enter(Operation.EXTEND_LOCK);
    state.lock.lock();
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
      state.lock.unlock();
    }
  }

  @Override
  public void release(LockedJob job, String workerId) {
    faults.enter(Operation.RELEASE);
    state.lock.lock();
    try {
      JobState j = owned(job, workerId, Operation.RELEASE);
      j.unlock();
      state.changed.signalAll();
    } finally {
      state.lock.unlock();
    }
  }

  /** Closes the whole engine. */
  @Override
  public void close() {
    closeEngine.run();
  }

  /** Lets no new long poll start; for {@link InMemoryEngine#close()}, after the state closed. */
  void stopLongPolls() {
    longPolls.shutdown();
  }

  @Override
  public String toString() {
    return "InMemoryEngine.jobClient()";
  }

  /**
   * The job, if {@code workerId} holds its lock; otherwise throws what a real engine would. Call
   * with the lock held.
   */
  private JobState owned(LockedJob job, String workerId, Operation op) {
    JobState j = state.jobs.get(job.id());
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

  /** Locks the jobs the request may have, oldest first. Call with the lock held. */
  /** Locks up to the first request's maxJobs jobs, in total, of the requests' topics. */
  private List<LockedJob> lockJobs(List<FetchRequest> requests) {
    Instant now = clock.instant();
    List<LockedJob> out = new ArrayList<>();
    int max = requests.get(0).maxJobs();
    for (JobState j : state.jobs.values()) {
      if (out.size() >= max) {
        break;
      }
      FetchRequest r = null;
      for (FetchRequest candidate : requests) {
        if (candidate.topic().equals(j.task.topic())) {
          r = candidate;
          break;
        }
      }
      if (r == null || r.tenantIds() != null // no job has a tenant
          || !j.fetchable(now)
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
        .engine(engineId())
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

  /** Waits, with the lock released, until jobs can be locked, the deadline passes or the fetch is cancelled. */
  private void longPoll(List<FetchRequest> r, PendingFetch result, long deadline) {
    state.lock.lock();
    try {
      while (!result.isDone()) {
        if (state.closed) {
          result.fail(new EngineUnavailableException(ID, "fetchAndLock", -1, null,
              "the engine closed during a long poll", null));
          return;
        }
        List<LockedJob> got = lockJobs(r);
        if (!got.isEmpty()) {
          if (!result.complete(got)) {
            for (LockedJob j : got) {
              state.jobs.get(j.id()).unlock(); // cancelled meanwhile: nobody will see these locks
            }
          }
          return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          result.complete(List.of());
          return;
        }
        state.changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      result.fail(new EngineUnavailableException(ID, "fetchAndLock", -1, null,
          "the long poll was interrupted", e));
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      result.fail(e);
    } finally {
      state.lock.unlock();
    }
  }
}
