package io.polyworker.worker.internal;

import static io.polyworker.WorkerEvent.Type.LOCK_LOST;
import static io.polyworker.WorkerEvent.Type.RELEASED;
import static io.polyworker.WorkerEvent.Type.REPORT_FAILED;

import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerOptions;
import io.polyworker.worker.internal.JobExecution.State;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Runs one subscription: a poller thread with at most one long poll in flight, asking only for free
 * capacity; a push stream where the engine has one ({@link PushedJobs}); handlers on the
 * subscription's executor; results reported by {@link ResultReporter}; locks kept by
 * {@link LockKeeper} from each job's arrival until its report ended; jobs handed back by
 * {@link Releases}.
 *
 * <p>Every job holds one {@link Capacity} slot from the fetch that brought it until its handler
 * returned (or it was released, or left to the engine), so the limit bounds the jobs waiting for or
 * running their handler, not only the running handlers; while every slot is held, the subscription
 * does not fetch, and {@link PushedJobs} pauses the stream. A result is then reported on an
 * engine-call thread without the slot, up to as many reports at once as the limit
 * ({@link #detachReport}); beyond that the report runs on the handler's thread with the slot. So
 * the jobs the worker holds locked stay within twice the limit.
 */
final class SubscriptionRunner {
  private static final Logger LOG = WorkerRuntime.LOG;

  private final EngineClient client;
  private final WorkerOptions workerOptions;
  private final Subscription subscription;
  private final String label;
  private final Events events;
  private final Capacity capacity;
  private final FetchLoop fetches;
  private final @Nullable PushedJobs pushed; // the job stream and its pushed jobs, where the engine streams
  private final @Nullable ExecutorService ownExecutor;
  private final Executor executor;
  private final LockKeeper locks;
  private final ResultReporter reporter;
  private final Releases releases;
  /** Reports going on without a slot ({@link #detachReport}): at most the limit, so close() can wait for them. */
  private final Capacity reportsWithoutSlot;
  private final Executor calls;
  private final HandlerCalls handlerCalls;
  private final Set<JobExecution> queued = ConcurrentHashMap.newKeySet();
  private final Set<JobExecution> running = ConcurrentHashMap.newKeySet();
  /** Jobs holding a slot (not counting slots the poller reserved for a fetch in flight). */
  private final AtomicInteger jobsHeld = new AtomicInteger();
  private volatile boolean accepting = true;
  /** The subscription's adaptive limit, or null for a fixed one. */
  private final @Nullable AdaptiveLimit adaptive;
  private volatile boolean interrupting;

  SubscriptionRunner(EngineClient client, WorkerOptions workerOptions, Subscription subscription,
      Capacity capacity, ScheduledExecutorService timer, Executor calls, Events events,
      @Nullable SharedLongPoll shared, @Nullable IdlePolls idlePolls, @Nullable AdaptiveLimit adaptive) {
    this.adaptive = adaptive;
    this.client = client;
    this.workerOptions = workerOptions;
    this.subscription = subscription;
    this.label = label(client.engineId(), subscription.topic());
    this.events = events;
    SubscriptionOptions options = subscription.options();
    var caps = client.capabilities();
    boolean longPolling = longPolls(client, options);
    boolean extending = options.lockExtension() && caps.has(Capability.LOCK_EXTENSION);
    FetchRequest template = new FetchRequest(workerOptions.workerId(), subscription.topic(),
        options.maxJobsPerFetch(), options.lockDuration(), options.variables(),
        longPolling ? options.longPollTimeout() : Duration.ZERO, options.businessKey(),
        options.processDefinitionKey(), options.tenantIds(),
        options.usePriority() && caps.has(Capability.PRIORITY));
    this.capacity = capacity;
    if (options.executor() != null) {
      this.ownExecutor = null;
      this.executor = options.executor();
    } else {
      this.ownExecutor = HandlerExecutors.create(threadLabel(), capacity.limit());
      this.executor = ownExecutor;
    }
    this.releases = new Releases(calls);
    this.reportsWithoutSlot = new Capacity(capacity.limit());
    this.calls = calls;
    Parts parts = new Parts(this, client, workerOptions, options, events, timer, calls, capacity,
        releases, template);
    this.locks = new LockKeeper(parts);
    this.reporter = new ResultReporter(parts);
    this.handlerCalls = new HandlerCalls(this, subscription.handler(), reporter, events);
    this.fetches = new FetchLoop(parts, longPolling, shared, idlePolls);
    this.pushed = caps.has(Capability.STREAMING)
        ? new PushedJobs(parts, extending
            ? Math.min(options.lockDuration().toMillis(), PushedJobs.LEASE.toMillis())
            : options.lockDuration().toMillis())
        : null;
    if (pushed != null) {
      // On a worker over several engines, a slot another engine frees may start a waiting push.
      capacity.whenFreedElsewhere(this::slotsFreedElsewhere);
      if (adaptive != null) {
        adaptive.onChange(this::slotsFreedElsewhere); // a higher limit may start a waiting push
      }
    }
  }

  /** Whether a subscription with these options long-polls on this engine. */
  static boolean longPolls(EngineClient client, SubscriptionOptions options) {
    return client.capabilities().has(Capability.LONG_POLLING) && !options.longPollTimeout().isZero();
  }

  /** A snapshot for gauges and health checks (the public view is {@code SubscriptionState}). */
  RunnerState state() {
    int open = (fetches.fetchInFlight() ? 1 : 0) + (pushed != null && pushed.streamOpen() ? 1 : 0);
    return new RunnerState(engineId(), topic(), capacity.currentLimit(), jobsHeld.get(),
        pushed == null ? 0 : pushed.waiting(), open);
  }

  String topic() {
    return subscription.topic();
  }

  String engineId() {
    return client.engineId();
  }

  /**
   * How every log line about this subscription or one of its jobs begins, "engine topic name" (e.g.
   * {@code camunda topic charge}), on a worker over one engine as on one over several.
   */
  String label() {
    return label;
  }

  static String label(String engineId, String topic) {
    return engineId + " topic " + topic;
  }

  /** What the subscription's threads are named after: the topic, with the engine on a worker over several. */
  String threadLabel() {
    return capacity.shared() ? client.engineId() + "-" + topic() : topic();
  }

  /** Jobs held (with a slot or reporting without one) plus slots reserved for a fetch in flight. */
  int held() {
    return capacity.held() + reportsWithoutSlot.held();
  }

  boolean isInterrupting() {
    return interrupting;
  }

  /** False once close() began: nothing new is fetched, pushed jobs and queued jobs are handed back. */
  boolean accepting() {
    return accepting;
  }

  void start() {
    if (pushed != null) {
      pushed.start();
    }
    fetches.start();
  }

  /** A fetch found no backlog: a paused stream may open again. */
  void fetchFoundNoBacklog() {
    if (pushed != null) {
      pushed.resumeIfIdle();
    }
  }

  /** A failure with a retry backoff is about to be reported (see {@link FetchLoop#failureReporting}). */
  void failureReporting(Duration backoff) {
    fetches.failureReporting(backoff);
  }

  void failureReported() {
    fetches.failureReported();
  }

  /** This worker failed a job with a retry backoff (see {@link FetchLoop#retryScheduled}). */
  void retryScheduled(JobResult failure) {
    fetches.retryScheduled(failure);
  }

  // ---------------------------------------------------------------- closing

  /**
   * First step of close, non-blocking: stops fetching and streaming, hands back the pushed jobs that
   * wait for a slot and the jobs that wait for an executor thread.
   */
  void stopFetching() {
    accepting = false;
    if (pushed != null) {
      pushed.stop();
    }
    fetches.stop();
    capacity.shutdown();
    releaseQueued();
  }

  /** Hands back, all at once, every job that waits for an executor thread. */
  void releaseQueued() {
    for (JobExecution e : queued) {
      if (e.moveTo(State.QUEUED, State.DONE)) {
        releaseHeld(e);
      }
    }
  }

  /** Waits (until the deadline) for the poller to end; then cancels its fetch. */
  void awaitPoller(long deadlineNanos) throws InterruptedException {
    fetches.await(deadlineNanos);
  }

  /** Waits until every slot is free and every report and release ended. */
  boolean awaitDrained(long deadlineNanos) throws InterruptedException {
    return capacity.awaitEmpty(deadlineNanos) & reportsWithoutSlot.awaitEmpty(deadlineNanos)
        & releases.awaitIdle(deadlineNanos);
  }

  void interruptHandlers() {
    interrupting = true;
    for (JobExecution e : running) {
      e.interrupt();
    }
  }

  void shutdown() {
    if (ownExecutor != null) {
      ownExecutor.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- running

  /** Runs a job that already holds a capacity slot; {@code arrivedAtMillis} is when it arrived. */
  void dispatch(LockedJob job, long arrivedAtMillis, long lockMillis) {
    JobExecution e = new JobExecution(this, job, arrivedAtMillis, lockMillis);
    jobsHeld.incrementAndGet();
    queued.add(e);
    locks.start(e);
    if (!accepting) {
      if (e.moveTo(State.QUEUED, State.DONE)) {
        releaseHeld(e);
      }
      return;
    }
    try {
      executor.execute(e);
    } catch (RejectedExecutionException rejected) {
      LOG.warn("{}: executor rejected job {}; releasing it", label, job.id());
      if (e.moveTo(State.QUEUED, State.DONE)) {
        releaseHeld(e);
      }
    }
    if (pushed != null) {
      pushed.adjust();
    }
  }

  /** Whether the engine pushes this subscription's new jobs now: its job stream is open. */
  boolean pushCoversNewJobs() {
    return pushed != null && pushed.streamOpen();
  }

  /** Jobs holding a slot (not counting slots the poller reserved for a fetch in flight). */
  int jobsHeld() {
    return jobsHeld.get();
  }

  /** The executor's thread for one job. */
  void execute(JobExecution e) {
    handlerCalls.run(e);
  }

  /** The job's handler starts now: it counts as running (close() may interrupt it). */
  void running(JobExecution e) {
    queued.remove(e);
    running.add(e);
  }

  void notRunning(JobExecution e) {
    running.remove(e);
  }

  /** Releases a job that holds a slot, in the background, and then gives the slot back. */
  void releaseHeld(JobExecution e) {
    e.done();
    releases.submit(() -> {
      try {
        release(e.locked);
      } finally {
        e.finish();
      }
    });
  }

  /** Hands a job back to the engine (blocking); never throws. */
  void release(LockedJob job) {
    try {
      client.release(job, workerOptions.workerId());
      events.emit(RELEASED, topic(), job.id());
    } catch (RuntimeException e) {
      LOG.warn("{}: could not release job {} (its lock will expire instead): {}", label,
          job.id(), e.toString());
      events.emit(REPORT_FAILED, topic(), job.id(), Duration.ZERO, 1, e);
    }
  }

  /** Called once per job, when it leaves the worker. */
  void finished(JobExecution e) {
    queued.remove(e);
    if (e.holdsSlot()) {
      jobsHeld.decrementAndGet();
      freeSlots(1);
    }
  }

  /**
   * The job's handler returned and {@code report} would send its result: gives the job's slot to the
   * next job now and runs {@code report} on an engine-call thread, where fewer than the limit's worth
   * of reports go on that way; the job's lock is kept until the report ends, when {@code report} must
   * call {@link JobExecution#finish()}. Returns false, running nothing, when that bound is reached or
   * close() began: the caller then reports on its own thread, holding the slot, which is what bounds
   * the jobs held locked to twice the limit.
   */
  boolean detachReport(JobExecution e, Runnable report) {
    if (!accepting || interrupting || !reportsWithoutSlot.tryAcquire()) {
      return false;
    }
    e.slotFreed();
    jobsHeld.decrementAndGet();
    freeSlots(1);
    Runnable task = () -> {
      running(e); // close() past its drain deadline interrupts the report, as one on a handler thread
      e.runningOn(Thread.currentThread());
      try {
        report.run();
      } finally {
        e.runningOn(null);
        notRunning(e);
        reportsWithoutSlot.release(1);
      }
    };
    try {
      calls.execute(task);
    } catch (RejectedExecutionException closing) {
      task.run();
    }
    return true;
  }

  /** Gives slots back, then lets waiting pushed jobs take them and reopens a paused stream. */
  void freeSlots(int n) {
    if (n > 0) {
      capacity.release(n);
      if (pushed != null) {
        pushed.dispatchWaiting();
        pushed.adjust();
      }
    }
  }

  /** Another engine of the pool gave slots back; never throws into that engine's thread. */
  private void slotsFreedElsewhere() {
    try {
      if (pushed != null && accepting) {
        pushed.dispatchWaiting();
      }
    } catch (RuntimeException e) {
      LOG.warn("{}: starting a waiting pushed job failed", label, e);
    }
  }

  // ---------------------------------------------------------------- signals for an adaptive limit

  void handlerDone(long nanos) {
    if (adaptive != null) {
      adaptive.handlerDone(nanos);
    }
  }

  void fetchWasFull() {
    if (adaptive != null) {
      adaptive.fetchWasFull();
    }
  }

  void engineError() {
    if (adaptive != null) {
      adaptive.engineError();
    }
  }

  /** The job's lock is gone: one LOCK_LOST per lock, whoever notices first. */
  void lockLost(JobExecution e, @Nullable Throwable cause) {
    if (!e.job.markLockLost()) {
      return;
    }
    events.emitFor(LOCK_LOST, topic(), e, Duration.ZERO, 1, cause);
    if (e.moveTo(State.QUEUED, State.DONE)) {
      // Never started: leave it to the engine, which offers it again.
      LOG.warn("{}: the lock of job {} ran out before its handler started; left to the engine{}",
          label, e.locked.id(), cause == null ? "" : ": " + cause);
      e.finish();
    } else if (e.state() == State.RUNNING) {
      LOG.warn("{}: lost the lock of job {} while its handler runs{}", label, e.locked.id(),
          cause == null ? "" : ": " + cause);
    }
  }
}
