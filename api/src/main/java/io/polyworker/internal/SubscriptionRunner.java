package io.polyworker.internal;

import static io.polyworker.WorkerEvent.Type.ALREADY_COMPLETED;
import static io.polyworker.WorkerEvent.Type.BPMN_ERROR;
import static io.polyworker.WorkerEvent.Type.COMPLETED;
import static io.polyworker.WorkerEvent.Type.FAILED;
import static io.polyworker.WorkerEvent.Type.FETCHED;
import static io.polyworker.WorkerEvent.Type.LOCK_EXTENDED;
import static io.polyworker.WorkerEvent.Type.LOCK_LOST;
import static io.polyworker.WorkerEvent.Type.POLL_EMPTY;
import static io.polyworker.WorkerEvent.Type.POLL_ERROR;
import static io.polyworker.WorkerEvent.Type.RELEASED;
import static io.polyworker.WorkerEvent.Type.REPORT_FAILED;
import static io.polyworker.WorkerEvent.Type.REPORT_RETRIED;
import static io.polyworker.WorkerEvent.Type.STARTED;
import static io.polyworker.WorkerEvent.Type.TERMINATED;

import io.polyworker.BpmnError;
import io.polyworker.JobLockLostException;
import io.polyworker.JobResult;
import io.polyworker.JobWorker.Subscription;
import io.polyworker.MalformedAnswerException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.SubscriptionOptions;
import io.polyworker.VariableException;
import io.polyworker.WorkerOptions;
import io.polyworker.internal.DefaultJobWorker.Events;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.JobStream;
import io.polyworker.spi.LockedJob;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Runs one subscription: a poller thread with at most one fetch in flight, asking only for free
 * capacity; a push stream where the engine has one; handlers on the subscription's executor; result
 * reports retried on transient errors; lock extension (or, where the engine cannot extend, a watch
 * that reports the lost lock at expiry).
 *
 * <p>Every job holds one {@link Capacity} slot from the fetch that brought it until its result was
 * reported or it was released, so the limit bounds jobs in the worker, not only running handlers.
 */
final class SubscriptionRunner {
  private static final Logger LOG = DefaultJobWorker.LOG;
  private static final int MAX_ERROR_DETAILS = 8_000;
  /** An "empty" long poll quicker than this did not wait on the server: back off as without long polling. */
  private static final long MIN_LONG_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final EngineClient client;
  private final WorkerOptions workerOptions;
  private final SubscriptionOptions options;
  private final Subscription subscription;
  private final ScheduledExecutorService scheduler;
  private final Events events;
  private final FetchRequest template;
  private final Capacity capacity;
  private final int fetchThreshold;
  private final int backlogThreshold;
  private final boolean longPolling;
  private final boolean canExtend;
  private final @Nullable ExecutorService ownExecutor;
  private final Executor executor;
  private final Set<Execution> running = ConcurrentHashMap.newKeySet();
  /** Dispatched to the executor but not started yet: what close() hands back at once. */
  private final Set<Execution> queued = ConcurrentHashMap.newKeySet();
  private final Queue<Pushed> pushedWaiting = new ConcurrentLinkedQueue<>();
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private final AtomicBoolean warnedNoExtension = new AtomicBoolean();
  private volatile boolean accepting = true;
  private volatile boolean interrupting;
  private volatile @Nullable CompletableFuture<List<LockedJob>> inFlight;
  private volatile @Nullable JobStream stream;
  private @Nullable Thread poller;

  SubscriptionRunner(EngineClient client, WorkerOptions workerOptions, Subscription subscription,
      ScheduledExecutorService scheduler, Events events) {
    this.client = client;
    this.workerOptions = workerOptions;
    this.subscription = subscription;
    this.options = subscription.options();
    this.scheduler = scheduler;
    this.events = events;
    var caps = client.capabilities();
    this.longPolling = caps.has(Capability.LONG_POLLING) && !options.longPollTimeout().isZero();
    this.canExtend = caps.has(Capability.LOCK_EXTENSION);
    this.template = new FetchRequest(workerOptions.workerId(), subscription.topic(),
        options.maxJobsPerFetch(), options.lockDuration(), options.variables(),
        longPolling ? options.longPollTimeout() : Duration.ZERO, options.businessKey(),
        options.processDefinitionKey(), options.tenantIds(),
        options.usePriority() && caps.has(Capability.PRIORITY));
    this.capacity = new Capacity(options.maxConcurrentJobs());
    // Refill once a quarter of the slots is free (half while the engine has a backlog, see
    // pollLoop): batches stay useful without starving latency.
    this.fetchThreshold = threshold(4);
    this.backlogThreshold = threshold(2);
    if (options.executor() != null) {
      this.ownExecutor = null;
      this.executor = options.executor();
    } else {
      this.ownExecutor = HandlerExecutors.create(subscription.topic(), options.maxConcurrentJobs());
      this.executor = ownExecutor;
    }
  }

  private int threshold(int fraction) {
    return Math.max(1, Math.min(options.maxJobsPerFetch(),
        (options.maxConcurrentJobs() + fraction - 1) / fraction));
  }

  String topic() {
    return subscription.topic();
  }

  String engineId() {
    return client.engineId();
  }

  int held() {
    return capacity.held();
  }

  void start() {
    if (client.capabilities().has(Capability.STREAMING)) {
      try {
        stream = client.openStream(template.withMaxJobs(options.maxConcurrentJobs()), this::onPushed);
      } catch (RuntimeException e) {
        LOG.warn("topic {}: cannot open the job stream, polling only: {}", topic(), e.toString());
      }
    }
    Thread t = new Thread(this::pollLoop, "polyworker-poller-" + topic());
    t.setDaemon(false);
    poller = t;
    t.start();
  }

  /**
   * Stops fetching and streaming (first half of close, non-blocking). A long poll in flight is left
   * to finish: the engine would otherwise keep it open after we hung up and lock the next job for a
   * worker that is gone (Camunda does). Other fetches are cancelled at once.
   */
  void stopFetching() {
    accepting = false;
    stopSignal.countDown();
    capacity.shutdown();
    JobStream s = stream;
    if (s != null) {
      try {
        s.close();
      } catch (RuntimeException e) {
        LOG.debug("topic {}: closing the job stream failed", topic(), e);
      }
    }
    CompletableFuture<List<LockedJob>> f = inFlight;
    if (f != null && !longPolling) {
      f.cancel(true);
    }
  }

  /**
   * Second half of close: waits (until the deadline) for the poller to end, releasing whatever its
   * last fetch brought, then releases every job fetched but not started — queued on the executor or
   * waiting as a pushed job — at once, without waiting for running handlers.
   */
  void awaitFetchingStopped(long deadlineNanos) {
    Thread t = poller;
    if (t != null) {
      try {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        t.join(Math.max(1, left));
        if (t.isAlive()) {
          CompletableFuture<List<LockedJob>> f = inFlight;
          if (f != null) {
            f.cancel(true);
          }
          t.join(TimeUnit.SECONDS.toMillis(5));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Execution e : queued) {
      if (e.claimForRelease()) {
        release(e.locked);
        freeSlots(1);
      }
    }
    Pushed waiting;
    while ((waiting = pushedWaiting.poll()) != null) {
      release(waiting.job());
    }
  }

  boolean awaitDrained(long deadlineNanos) throws InterruptedException {
    return capacity.awaitEmpty(deadlineNanos);
  }

  void interruptHandlers() {
    interrupting = true;
    for (Execution e : running) {
      e.interrupt();
    }
  }

  void shutdown() {
    if (ownExecutor != null) {
      ownExecutor.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- fetching

  private void pollLoop() {
    ExponentialBackoff errorBackoff = new ExponentialBackoff(
        workerOptions.pollErrorBackoffInitial(), workerOptions.pollErrorBackoffMax());
    ExponentialBackoff emptyBackoff = new ExponentialBackoff(
        workerOptions.emptyPollBackoffInitial(), workerOptions.emptyPollBackoffMax());
    boolean failing = false;
    boolean backlog = false;
    while (accepting) {
      int reserved;
      try {
        // While fetches come back full the engine has a backlog: wait for bigger batches, so that
        // fetches do not queue behind the completes of every finished job.
        reserved = capacity.reserve(backlog ? backlogThreshold : fetchThreshold,
            options.maxJobsPerFetch());
      } catch (InterruptedException e) {
        break;
      }
      if (reserved == 0) {
        break;
      }
      long started = System.nanoTime();
      List<LockedJob> jobs;
      try {
        jobs = fetch(reserved);
      } catch (CancellationException | InterruptedException e) {
        freeSlots(reserved);
        break;
      } catch (Throwable e) {
        freeSlots(reserved);
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        events.emit(POLL_ERROR, topic(), null, took, 0, cause);
        Duration delay = errorBackoff.next();
        if (!failing) {
          LOG.warn("topic {}: fetching from {} failed, backing off (first retry in {} ms): {}",
              topic(), engineId(), delay.toMillis(), cause.toString());
          failing = true;
        } else {
          LOG.debug("topic {}: fetch failed again, next retry in {} ms", topic(), delay.toMillis(), cause);
        }
        pause(delay);
        continue;
      }
      if (failing) {
        LOG.info("topic {}: fetching from {} works again", topic(), engineId());
        failing = false;
      }
      errorBackoff.reset();
      long took = System.nanoTime() - started;
      // The engine locked these jobs before it answered (and, on a long poll, maybe long after we
      // asked): the answer's arrival bounds the lock's start from above.
      long fetchedAtMillis = System.currentTimeMillis();
      int accepted = Math.min(jobs.size(), reserved);
      backlog = jobs.size() >= reserved;
      freeSlots(reserved - accepted);
      if (jobs.isEmpty()) {
        events.emit(POLL_EMPTY, topic(), null, Duration.ofNanos(took), 0, null);
        if (!longPolling || took < MIN_LONG_POLL_NANOS) {
          pause(emptyBackoff.next());
        }
        continue;
      }
      emptyBackoff.reset();
      events.emit(FETCHED, topic(), null, Duration.ofNanos(took), jobs.size(), null);
      for (int i = 0; i < jobs.size(); i++) {
        LockedJob job = jobs.get(i);
        if (i >= accepted) {
          LOG.warn("topic {}: engine returned more jobs than asked for; releasing job {}", topic(), job.id());
          release(job);
        } else {
          dispatch(job, fetchedAtMillis);
        }
      }
    }
  }

  private List<LockedJob> fetch(int n) throws InterruptedException, ExecutionException {
    CompletableFuture<List<LockedJob>> f = client.fetchAndLock(template.withMaxJobs(n));
    inFlight = f;
    try {
      if (!accepting) {
        f.cancel(true);
      }
      return f.get();
    } finally {
      inFlight = null;
    }
  }

  private void pause(Duration delay) {
    try {
      stopSignal.await(delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A pushed job; called on the engine client's thread, must not block. */
  private void onPushed(LockedJob job) {
    long now = System.currentTimeMillis();
    if (!accepting) {
      pushedWaiting.add(new Pushed(job, now));
      drainPushedIfClosed();
      return;
    }
    if (pushedWaiting.size() >= options.maxConcurrentJobs()) {
      // As many pushed jobs wait as may run at once: hand this one back instead of letting its
      // lock tick away in the queue.
      executor(() -> release(job));
      return;
    }
    pushedWaiting.add(new Pushed(job, now));
    dispatchWaiting();
  }

  /** A pushed job and when it arrived: its lock has been running since. */
  private record Pushed(LockedJob job, long arrivedAtMillis) {}

  /** Starts waiting pushed jobs while slots are free. */
  private void dispatchWaiting() {
    while (accepting && !pushedWaiting.isEmpty() && capacity.tryAcquire()) {
      Pushed next = pushedWaiting.poll();
      if (next == null) {
        capacity.release(1);
        return;
      }
      long lockLeft = Math.min(millisUntil(next.job().lockExpiresAt()),
          next.arrivedAtMillis() + options.lockDuration().toMillis() - System.currentTimeMillis());
      if (lockLeft <= 0) {
        // Its lock ran out while it waited for a slot: the engine offers it again; running it
        // here would only run it twice.
        LOG.debug("topic {}: pushed job {} waited past its lock; left to the engine", topic(),
            next.job().id());
        capacity.release(1);
        continue;
      }
      dispatch(next.job(), next.arrivedAtMillis());
    }
  }

  /** Gives slots back, then lets waiting pushed jobs take them. */
  private void freeSlots(int n) {
    if (n > 0) {
      capacity.release(n);
      dispatchWaiting();
    }
  }

  private void drainPushedIfClosed() {
    if (!accepting) {
      executor(() -> {
        Pushed j;
        while ((j = pushedWaiting.poll()) != null) {
          release(j.job());
        }
      });
    }
  }

  private void executor(Runnable r) {
    try {
      executor.execute(r);
    } catch (RejectedExecutionException e) {
      r.run();
    }
  }

  /** Runs a job that already holds a capacity slot; {@code fetchedAtMillis} is when it arrived. */
  private void dispatch(LockedJob job, long fetchedAtMillis) {
    Execution execution = new Execution(job, fetchedAtMillis);
    queued.add(execution);
    try {
      executor.execute(execution);
    } catch (RejectedExecutionException e) {
      queued.remove(execution);
      LOG.warn("topic {}: executor rejected job {}; releasing it", topic(), job.id());
      release(job);
      freeSlots(1);
    }
  }

  private void release(LockedJob job) {
    try {
      client.release(job, workerOptions.workerId());
      events.emit(RELEASED, topic(), job.id());
    } catch (RuntimeException e) {
      LOG.warn("topic {}: could not release job {} (its lock will expire instead): {}", topic(),
          job.id(), e.toString());
      events.emit(REPORT_FAILED, topic(), job.id(), Duration.ZERO, 1, e);
    }
  }

  // ---------------------------------------------------------------- running

  /** One job on its way through the handler and the report. */
  private final class Execution implements Runnable {
    private final LockedJob locked;
    private final long fetchedAtMillis;
    private volatile @Nullable Thread thread;
    private volatile boolean done;
    private @Nullable ScheduledFuture<?> lockWatch;
    /** Decides once whether this job starts or is handed back by close(). */
    private final AtomicBoolean claimed = new AtomicBoolean();

    Execution(LockedJob locked, long fetchedAtMillis) {
      this.locked = locked;
      this.fetchedAtMillis = fetchedAtMillis;
    }

    /** Takes the job away from the executor for release; false when it already started. */
    boolean claimForRelease() {
      boolean won = claimed.compareAndSet(false, true);
      if (won) {
        queued.remove(this);
      }
      return won;
    }

    void interrupt() {
      Thread t = thread;
      if (t != null) {
        t.interrupt();
      }
    }

    @Override
    public void run() {
      if (!claimed.compareAndSet(false, true)) {
        return; // close() released it already, and gave its slot back
      }
      queued.remove(this);
      thread = Thread.currentThread();
      running.add(this);
      try {
        if (!accepting) {
          release(locked);
          return;
        }
        MalformedAnswerException unreadable = locked.readError();
        if (unreadable != null) {
          // Locked for us but unreadable: fail it with the reason, so it surfaces in the engine
          // (and ends in an incident once its retries are used) instead of running blind.
          LOG.warn("topic {}: job {} cannot be read; failing it without running the handler: {}",
              topic(), locked.id(), unreadable.getMessage());
          report(new ActiveJob(locked), failure(unreadable), Duration.ZERO, unreadable);
          return;
        }
        ActiveJob job = new ActiveJob(locked);
        MDC.put("polyworker.jobId", locked.id());
        MDC.put("polyworker.topic", topic());
        events.emit(STARTED, topic(), locked.id());
        synchronized (this) {
          lockWatch = scheduleLockWatch(job, this);
        }
        long started = System.nanoTime();
        JobResult result;
        Throwable error = null;
        try {
          result = subscription.handler().handle(job);
          if (result == null) {
            result = JobResult.fail("handler for topic '" + topic() + "' returned null instead of a JobResult");
          }
        } catch (BpmnError e) {
          result = JobResult.bpmnError(e.errorCode(), e.getMessage(), e.variables());
        } catch (Throwable e) {
          if (e instanceof VirtualMachineError vme) {
            throw vme;
          }
          error = e;
          result = failure(e);
        }
        done = true;
        cancelLockWatch();
        boolean interruptedByDrain = interrupting && (Thread.interrupted() || error != null);
        if (interruptedByDrain) {
          // Stopped by close() past the drain deadline: not the job's fault, so no retry is used up.
          release(locked);
          return;
        }
        boolean interrupted = Thread.interrupted();
        report(job, result, Duration.ofNanos(System.nanoTime() - started), error);
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      } finally {
        done = true;
        cancelLockWatch();
        MDC.remove("polyworker.jobId");
        MDC.remove("polyworker.topic");
        running.remove(this);
        thread = null;
        freeSlots(1);
      }
    }

    private synchronized void cancelLockWatch() {
      if (lockWatch != null) {
        lockWatch.cancel(false);
        lockWatch = null;
      }
    }

    synchronized void rescheduleLockWatch(ScheduledFuture<?> next) {
      if (done) {
        next.cancel(false);
      } else {
        lockWatch = next;
      }
    }

    boolean isDone() {
      return done;
    }
  }

  private JobResult failure(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getName()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
    return JobResult.fail(message).withErrorDetails(stackTrace(e));
  }

  static String stackTrace(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    String s = out.toString();
    return s.length() <= MAX_ERROR_DETAILS ? s : s.substring(0, MAX_ERROR_DETAILS) + "\n\t...";
  }

  private int retriesAfterFailure(LockedJob job) {
    Integer left = job.retries();
    int base = left != null ? left : options.defaultRetries();
    return Math.max(0, base - 1);
  }

  // ---------------------------------------------------------------- reporting

  private void report(ActiveJob job, JobResult result, Duration handlerTime, @Nullable Throwable error) {
    LockedJob locked = job.locked();
    String workerId = workerOptions.workerId();
    JobResult current = result.withFailureDefaults(retriesAfterFailure(locked), options.retryBackoff());
    ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    long deadline = System.nanoTime() + workerOptions.reportRetryTimeout().toNanos();
    int attempt = 0;
    while (true) {
      try {
        switch (current.kind()) {
          case COMPLETE:
            client.complete(locked, workerId, current.variables(), current.localVariables());
            events.emit(COMPLETED, topic(), locked.id(), handlerTime, 1, null);
            break;
          case FAIL:
            client.fail(locked, workerId, nonNull(current.errorMessage()), current.errorDetails(),
                nonNull(current.retries()), nonNull(current.retryBackoff()));
            events.emit(FAILED, topic(), locked.id(), handlerTime, 1, error);
            break;
          case BPMN_ERROR:
            client.bpmnError(locked, workerId, nonNull(current.errorCode()), current.errorMessage(),
                current.variables());
            events.emit(BPMN_ERROR, topic(), locked.id(), handlerTime, 1, null);
            break;
          case TERMINATE:
            client.terminate(locked, workerId, current.variables());
            events.emit(TERMINATED, topic(), locked.id(), handlerTime, 1, null);
            break;
          default:
            throw new IllegalStateException("unknown result kind " + current.kind());
        }
        return;
      } catch (JobLockLostException e) {
        job.markLockLost();
        events.emit(LOCK_LOST, topic(), locked.id(), Duration.ZERO, 1, e);
        LOG.warn("topic {}: job {} was not {}: this worker lost its lock ({})", topic(), locked.id(),
            verb(current), e.detail());
        return;
      } catch (NotFoundException e) {
        events.emit(ALREADY_COMPLETED, topic(), locked.id(), Duration.ZERO, 1, e);
        LOG.warn("topic {}: job {} was not {}: it no longer exists ({})", topic(), locked.id(),
            verb(current), e.detail());
        return;
      } catch (VariableException | UnsupportedOperationException e) {
        if (current.kind() == JobResult.Kind.FAIL) {
          reportFailed(locked, current, e);
          return;
        }
        // The result cannot be sent as it is: fail the job with the reason instead of losing it.
        LOG.warn("topic {}: job {} could not be {} ({}); failing it instead", topic(), locked.id(),
            verb(current), e.getMessage());
        error = e;
        current = JobResult.fail("result could not be sent: " + e.getMessage())
            .withErrorDetails(stackTrace(e))
            .withFailureDefaults(retriesAfterFailure(locked), options.retryBackoff());
      } catch (PolyworkerException e) {
        if (!e.isRetryable() && current.kind() != JobResult.Kind.FAIL) {
          // The engine refuses this result for good (e.g. a CMMN terminate of a BPMN job): fail
          // the job with the reason, so it surfaces as a failure instead of running again forever.
          LOG.warn("topic {}: job {} could not be {} ({}); failing it instead", topic(), locked.id(),
              verb(current), e.getMessage());
          error = e;
          current = JobResult.fail("result could not be sent: " + e.getMessage())
              .withErrorDetails(stackTrace(e))
              .withFailureDefaults(retriesAfterFailure(locked), options.retryBackoff());
          continue;
        }
        if (!e.isRetryable() || System.nanoTime() > deadline || interrupting) {
          reportFailed(locked, current, e);
          return;
        }
        attempt++;
        events.emit(REPORT_RETRIED, topic(), locked.id(), Duration.ZERO, attempt, e);
        Duration delay = backoff.next();
        LOG.debug("topic {}: reporting job {} failed (attempt {}), retrying in {} ms", topic(),
            locked.id(), attempt, delay.toMillis(), e);
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          reportFailed(locked, current, e);
          return;
        }
      } catch (RuntimeException e) {
        reportFailed(locked, current, e);
        return;
      }
    }
  }

  private void reportFailed(LockedJob locked, JobResult result, Exception e) {
    events.emit(REPORT_FAILED, topic(), locked.id(), Duration.ZERO, 1, e);
    LOG.warn("topic {}: job {} could not be {}; it runs again after its lock expires: {}", topic(),
        locked.id(), verb(result), e.toString());
  }

  private static String verb(JobResult result) {
    switch (result.kind()) {
      case COMPLETE: return "completed";
      case FAIL: return "failed";
      case BPMN_ERROR: return "given its BPMN error";
      default: return "terminated";
    }
  }

  private static <T> T nonNull(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("result field missing");
    }
    return value;
  }

  // ---------------------------------------------------------------- locks

  private @Nullable ScheduledFuture<?> scheduleLockWatch(ActiveJob job, Execution execution) {
    Duration lock = options.lockDuration();
    // The engine's expiry is on its clock; on ours the lock began no later than the job arrived.
    // Trusting the earlier of the two keeps a server clock running ahead from delaying the watch.
    long untilExpiry = Math.min(millisUntil(job.lockExpiresAt()),
        execution.fetchedAtMillis + lock.toMillis() - System.currentTimeMillis());
    if (options.lockExtension() && canExtend) {
      return scheduleQuietly(() -> extend(job, execution), Math.max(0, untilExpiry - margin(lock)));
    }
    return scheduleQuietly(() -> expired(job, execution), Math.max(0, untilExpiry));
  }

  private @Nullable ScheduledFuture<?> scheduleQuietly(Runnable task, long delayMillis) {
    try {
      return scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null; // worker is shutting down
    }
  }

  private static long millisUntil(Instant instant) {
    return instant.toEpochMilli() - System.currentTimeMillis();
  }

  /** How long before expiry to extend: a third of the lock, and at least half of a short one. */
  private static long margin(Duration lock) {
    long millis = lock.toMillis();
    return Math.max(millis / 3, Math.min(millis / 2, 1_000));
  }

  private void extend(ActiveJob job, Execution execution) {
    if (execution.isDone() || job.isLockLost()) {
      return;
    }
    Duration lock = options.lockDuration();
    try {
      Instant expiry = client.extendLock(job.locked(), workerOptions.workerId(), lock);
      job.lockExtendedTo(expiry);
      events.emit(LOCK_EXTENDED, topic(), job.id(), lock, 1, null);
      ScheduledFuture<?> next = scheduleQuietly(() -> extend(job, execution),
          Math.max(0, millisUntil(expiry) - margin(lock)));
      if (next != null) {
        execution.rescheduleLockWatch(next);
      }
    } catch (NotFoundException e) {
      lockLost(job, e);
    } catch (RuntimeException e) {
      long left = millisUntil(job.lockExpiresAt());
      if (left <= 0) {
        lockLost(job, e);
        return;
      }
      LOG.debug("topic {}: extending the lock of job {} failed, retrying", topic(), job.id(), e);
      ScheduledFuture<?> next = scheduleQuietly(() -> extend(job, execution),
          Math.max(50, Math.min(1000, left / 2)));
      if (next != null) {
        execution.rescheduleLockWatch(next);
      }
    }
  }

  private void expired(ActiveJob job, Execution execution) {
    if (execution.isDone()) {
      return;
    }
    if (options.lockExtension() && warnedNoExtension.compareAndSet(false, true)) {
      LOG.warn("topic {}: a handler ran past its lock duration of {} and the lock cannot be extended"
          + " ({}); the job may run twice. Raise lockDuration for this subscription.", topic(),
          options.lockDuration(), client.capabilities().whyMissing(Capability.LOCK_EXTENSION));
    }
    lockLost(job, null);
  }

  private void lockLost(ActiveJob job, @Nullable Throwable cause) {
    if (job.markLockLost()) {
      events.emit(LOCK_LOST, topic(), job.id(), Duration.ZERO, 1, cause);
      LOG.warn("topic {}: lost the lock of job {} while its handler runs{}", topic(), job.id(),
          cause == null ? "" : ": " + cause);
    }
  }
}
