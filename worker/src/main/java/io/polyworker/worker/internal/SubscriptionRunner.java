package io.polyworker.worker.internal;

import static io.polyworker.WorkerEvent.Type.FETCHED;
import static io.polyworker.WorkerEvent.Type.LOCK_LOST;
import static io.polyworker.WorkerEvent.Type.POLL_EMPTY;
import static io.polyworker.WorkerEvent.Type.POLL_ERROR;
import static io.polyworker.WorkerEvent.Type.RELEASED;
import static io.polyworker.WorkerEvent.Type.REPORT_FAILED;
import static io.polyworker.WorkerEvent.Type.STARTED;

import io.polyworker.BpmnError;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker.Subscription;
import io.polyworker.MalformedAnswerException;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerOptions;
import io.polyworker.worker.internal.DefaultJobWorker.Events;
import io.polyworker.worker.internal.JobExecution.State;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.JobStream;
import io.polyworker.spi.LockedJob;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Runs one subscription: a poller thread with at most one long poll in flight, asking only for free
 * capacity; a push stream where the engine has one, paused while every slot is busy; handlers on the
 * subscription's executor; results reported by {@link ResultReporter}; locks kept by
 * {@link LockKeeper} from each job's arrival until its report ended; jobs handed back by
 * {@link Releases}.
 *
 * <p>Every job holds one {@link Capacity} slot from the fetch that brought it until its result was
 * reported, it was released, or it was left to the engine, so the limit bounds the jobs in the
 * worker, not only the running handlers. A saturated worker holds no more than it can start: the
 * stream is closed while every slot is held by a job (the engine keeps the excess, available to other
 * workers) and opened again when a slot frees; a pushed job that arrives before the pause took effect
 * waits for a slot in a queue of at most {@link #PUSH_QUEUE_LIMIT} jobs; past that, it is handed back
 * once the stream is closed, so the engine offers it to other workers and not to this one again.
 */
final class SubscriptionRunner {
  private static final Logger LOG = DefaultJobWorker.LOG;
  /** An "empty" long poll quicker than this did not wait on the server: back off as without long polling. */
  private static final long MIN_LONG_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** Pushed jobs that may wait for a slot; documented in the README. */
  static final int PUSH_QUEUE_LIMIT = 4;
  /** Added to a retry backoff before the due fetch, so the engine's own clock has passed it. */
  private static final long RETRY_DUE_MARGIN_MILLIS = 50;
  /**
   * The lock a pushed job gets from the stream when locks can be extended; held jobs are extended to
   * lockDuration before it ends. Closing a stream can lose a job the engine pushes before it sees the
   * close (the engine then offers it again when its lock ends): the short lease makes that seconds,
   * not lockDuration. Documented in the README.
   */
  static final Duration PUSH_LEASE = Duration.ofSeconds(3);
  /** Backoffs ending within this window share one due fetch. */
  private static final long RETRY_DUE_WINDOW_MILLIS = 250;

  private final EngineClient client;
  private final WorkerOptions workerOptions;
  private final SubscriptionOptions options;
  private final Subscription subscription;
  private final ScheduledExecutorService timer;
  private final Events events;
  private final FetchRequest template;
  private final Capacity capacity;
  private final int fetchThreshold;
  private final int backlogThreshold;
  private final boolean longPolling;
  private final boolean streaming;
  /** The lock of a pushed job, in ms: {@link #PUSH_LEASE} where the runtime extends locks. */
  private final long pushLeaseMillis;
  private final @Nullable ExecutorService ownExecutor;
  private final Executor executor;
  private final Executor calls;
  private final LockKeeper locks;
  private final ResultReporter reporter;
  private final Releases releases;
  private final Set<JobExecution> queued = ConcurrentHashMap.newKeySet();
  private final Set<JobExecution> running = ConcurrentHashMap.newKeySet();
  /** Jobs holding a slot (not counting slots the poller reserved for a fetch in flight). */
  private final AtomicInteger jobsHeld = new AtomicInteger();
  private final CountDownLatch stopSignal = new CountDownLatch(1);

  /** Guards {@link #accepting} changes and the pushed-job queue, so no push slips past close(). */
  private final Object pushLock = new Object();
  private final ArrayDeque<PushedJob> pushedWaiting = new ArrayDeque<>();
  private volatile boolean accepting = true;

  private final Object streamLock = new Object();
  private @Nullable JobStream stream;
  private boolean streamPaused;
  /** The close of the last paused stream: jobs it pushed past the queue are handed back after it. */
  private CompletableFuture<Void> lastPause = CompletableFuture.completedFuture(null);

  private volatile boolean interrupting;
  private volatile @Nullable CompletableFuture<List<LockedJob>> inFlight;
  private volatile boolean longPollInFlight;
  /** When the last due fetch was planned for (epoch ms), to batch backoffs that end close together. */
  private final AtomicLong plannedDueFetch = new AtomicLong();
  private @Nullable Thread poller;

  SubscriptionRunner(EngineClient client, WorkerOptions workerOptions, Subscription subscription,
      ScheduledExecutorService timer, Executor calls, Events events) {
    this.client = client;
    this.workerOptions = workerOptions;
    this.subscription = subscription;
    this.options = subscription.options();
    this.timer = timer;
    this.calls = calls;
    this.events = events;
    var caps = client.capabilities();
    this.longPolling = caps.has(Capability.LONG_POLLING) && !options.longPollTimeout().isZero();
    this.streaming = caps.has(Capability.STREAMING);
    boolean extending = options.lockExtension() && caps.has(Capability.LOCK_EXTENSION);
    this.pushLeaseMillis = extending
        ? Math.min(options.lockDuration().toMillis(), PUSH_LEASE.toMillis())
        : options.lockDuration().toMillis();
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
    this.locks = new LockKeeper(this, client, workerOptions.workerId(), options, timer, calls, events);
    this.reporter = new ResultReporter(this, client, workerOptions, options, events);
    this.releases = new Releases(calls);
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

  /** Jobs held plus slots reserved for a fetch in flight. */
  int held() {
    return capacity.held();
  }

  boolean isInterrupting() {
    return interrupting;
  }

  void start() {
    if (streaming) {
      synchronized (streamLock) {
        openStream();
      }
    }
    Thread t = new Thread(this::pollLoop, "polyworker-poller-" + topic());
    t.setDaemon(false);
    poller = t;
    t.start();
  }

  // ---------------------------------------------------------------- closing

  /**
   * First step of close, non-blocking: stops fetching and streaming, releases the pushed jobs that
   * wait for a slot. A long poll in flight is left to finish: the engine would otherwise keep it open
   * after we hung up and lock the next job for a worker that is gone (Camunda does). Other fetches are
   * cancelled.
   */
  void stopFetching() {
    synchronized (pushLock) {
      accepting = false;
      pushLock.notifyAll();
      PushedJob p;
      while ((p = pushedWaiting.poll()) != null) {
        LockedJob job = p.job();
        releases.submit(() -> release(job));
      }
    }
    stopSignal.countDown();
    capacity.shutdown();
    synchronized (streamLock) {
      closeStream();
    }
    CompletableFuture<List<LockedJob>> f = inFlight;
    if (f != null && !longPolling) {
      f.cancel(true);
    }
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
    Thread t = poller;
    if (t == null) {
      return;
    }
    long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    t.join(Math.max(1, left));
    if (t.isAlive()) {
      CompletableFuture<List<LockedJob>> f = inFlight;
      if (f != null) {
        f.cancel(true);
      }
      t.join(1_000);
    }
  }

  /** Waits until every slot is free and every release ended. */
  boolean awaitDrained(long deadlineNanos) throws InterruptedException {
    return capacity.awaitEmpty(deadlineNanos) & releases.awaitIdle(deadlineNanos);
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
      backlog = jobs.size() >= reserved;
      if (!backlog) {
        resumeStreamIfIdle();
      }
      if (jobs.isEmpty()) {
        freeSlots(reserved);
        events.emit(POLL_EMPTY, topic(), null, Duration.ofNanos(took), 0, null);
        if (!longPolling || took < MIN_LONG_POLL_NANOS) {
          pause(emptyBackoff.next());
        }
        continue;
      }
      emptyBackoff.reset();
      events.emit(FETCHED, topic(), null, Duration.ofNanos(took), jobs.size(), null);
      accept(jobs, reserved);
    }
  }

  /**
   * Takes the jobs of a fetch that reserved {@code reserved} slots. The engine locked them before it
   * answered (and, on a long poll, maybe long after we asked): the answer's arrival bounds the lock's
   * start from above.
   */
  private void accept(List<LockedJob> jobs, int reserved) {
    long arrived = System.currentTimeMillis();
    int accepted = Math.min(jobs.size(), reserved);
    // The slots of jobs that did not come go back once the jobs that did are counted, so that a
    // pushed job waiting for a slot cannot take one while the stream thinks the worker is idle.
    for (int i = 0; i < jobs.size(); i++) {
      LockedJob job = jobs.get(i);
      if (i >= accepted) {
        LOG.warn("topic {}: engine returned more jobs than asked for; releasing job {}", topic(), job.id());
        releases.submit(() -> release(job));
      } else {
        dispatch(job, arrived, options.lockDuration().toMillis());
      }
    }
    freeSlots(reserved - accepted);
  }

  private List<LockedJob> fetch(int n) throws InterruptedException, ExecutionException {
    FetchRequest request = template.withMaxJobs(n);
    if (longPolling) {
      // A long poll that began after a failure ends when that failure's backoff does (the due
      // fetch covers polls that were already open).
      long untilDue = plannedDueFetch.get() - System.currentTimeMillis();
      if (untilDue > 0 && untilDue < options.longPollTimeout().toMillis()) {
        request = request.withLongPollTimeout(Duration.ofMillis(untilDue));
      }
    }
    CompletableFuture<List<LockedJob>> f = client.fetchAndLock(request);
    inFlight = f;
    longPollInFlight = longPolling;
    try {
      if (!accepting) {
        f.cancel(true);
      }
      return f.get();
    } finally {
      longPollInFlight = false;
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

  /**
   * Called after this worker failed a job with a retry backoff. Long-polling engines (Camunda) do
   * not answer an open long poll when a backoff ends, only when its own timeout comes; so when the
   * backoff ends while a long poll is open, one plain fetch (no long poll) for the free slots takes
   * the job at once. Backoffs ending within {@value #RETRY_DUE_WINDOW_MILLIS} ms share one fetch, so
   * this adds at most one request per failure and never one while idle.
   */
  void retryScheduled(JobResult failure) {
    Duration backoff = failure.retryBackoff();
    Integer retries = failure.retries();
    if (!longPolling || backoff == null || backoff.isZero() || retries == null || retries <= 0) {
      return;
    }
    long due = System.currentTimeMillis() + backoff.toMillis() + RETRY_DUE_MARGIN_MILLIS;
    long planned = plannedDueFetch.get();
    if (planned >= due && planned - due <= RETRY_DUE_WINDOW_MILLIS) {
      return;
    }
    if (!plannedDueFetch.compareAndSet(planned, due)) {
      return; // another failure planned one just now
    }
    try {
      timer.schedule(() -> calls.execute(this::dueFetch), due - System.currentTimeMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException ignored) {
      // closing
    }
  }

  private void dueFetch() {
    if (!accepting || !longPollInFlight) {
      return; // the poller's next fetch, or the one it is making now, takes the job
    }
    int n = 0;
    while (n < options.maxJobsPerFetch() && capacity.tryAcquire()) {
      n++;
    }
    if (n == 0) {
      return; // every slot busy: the job waits for one like any other
    }
    List<LockedJob> jobs;
    try {
      jobs = client.fetchAndLock(template.withMaxJobs(n).withLongPollTimeout(Duration.ZERO)).get();
    } catch (InterruptedException e) {
      freeSlots(n);
      Thread.currentThread().interrupt();
      return;
    } catch (ExecutionException | RuntimeException e) {
      freeSlots(n);
      LOG.debug("topic {}: fetch after a retry backoff failed; the long poll takes the job", topic(), e);
      return;
    }
    if (!jobs.isEmpty()) {
      events.emit(FETCHED, topic(), null, Duration.ZERO, jobs.size(), null);
    }
    accept(jobs, n);
  }

  // ---------------------------------------------------------------- pushed jobs and the stream

  /**
   * A pushed job, on the stream's own delivery thread, which never blocks: a job that finds neither
   * a slot nor a place in the queue (the engine pushed it before it saw the pause) pauses the stream
   * if it still runs and is handed back once that stream is closed, so the engine offers it to
   * other workers at once, one FAILED record per job, and never pushes it back to this worker.
   * (Holding the delivery thread instead would leave the jobs the gRPC client buffered behind it
   * activated for this worker: cancelling the stream drops them, and they come back only when their
   * lease ends.)
   */
  private void onPushed(LockedJob job) {
    long now = System.currentTimeMillis();
    boolean start = false;
    boolean release = false;
    synchronized (pushLock) {
      if (!accepting) {
        release = true; // close() began while the job was on its way in
      } else if (pushedWaiting.isEmpty() && capacity.tryAcquire()) {
        start = true;
      } else if (pushedWaiting.size() < PUSH_QUEUE_LIMIT) {
        pushedWaiting.add(new PushedJob(job, now));
      } else {
        release = true;
      }
    }
    if (start) {
      dispatch(job, now, pushLeaseMillis);
    } else if (release) {
      CompletableFuture<Void> closed = pauseStream();
      releases.submit(() -> {
        closed.handle((v, e) -> null).join();
        release(job);
      });
    }
    adjustStream();
  }

  /** A pushed job and when it arrived: its lock has been running since. */
  private record PushedJob(LockedJob job, long arrivedAtMillis) {}

  /** Starts waiting pushed jobs while slots are free. */
  private void dispatchWaiting() {
    while (true) {
      PushedJob next;
      synchronized (pushLock) {
        if (!accepting || pushedWaiting.isEmpty() || !capacity.tryAcquire()) {
          return;
        }
        next = pushedWaiting.poll();
      }
      long lockLeft = Math.min(next.job().lockExpiresAt().toEpochMilli(),
          next.arrivedAtMillis() + pushLeaseMillis) - System.currentTimeMillis();
      if (lockLeft <= 0) {
        // Its lock ran out while it waited: the engine offers it again; running it here could run
        // it twice.
        LOG.debug("topic {}: pushed job {} waited past its lock; left to the engine", topic(),
            next.job().id());
        events.emit(LOCK_LOST, topic(), next.job().id());
        capacity.release(1);
        continue;
      }
      dispatch(next.job(), next.arrivedAtMillis(), pushLeaseMillis);
    }
  }

  /**
   * Pauses the stream once a pushed job has to wait for a slot: every slot is held and the engine
   * keeps pushing. (Pausing as soon as the last slot is taken would close and reopen the stream for
   * every job on a one-slot worker.) {@link #resumeStreamIfIdle()} opens it again.
   */
  private void adjustStream() {
    if (!streaming) {
      return;
    }
    boolean waiting;
    synchronized (pushLock) {
      waiting = !pushedWaiting.isEmpty();
    }
    synchronized (streamLock) {
      boolean saturated = jobsHeld.get() >= options.maxConcurrentJobs();
      if (!accepting) {
        closeStream();
      } else if (saturated && waiting) {
        pauseStream();
      }
    }
  }

  /**
   * Pauses the stream if it is open and returns the end of the last pause's close. The close runs on
   * another thread: cancelling the stream inside its own callback would make the gRPC client drop
   * the jobs it already received behind this one, leaving them activated for this worker until their
   * lease ends. From another thread the callback keeps delivering them (into the queue, or handed
   * back) until the cancel takes effect.
   */
  private CompletableFuture<Void> pauseStream() {
    synchronized (streamLock) {
      JobStream s = stream;
      if (s != null && accepting) {
        stream = null;
        streamPaused = true;
        lastPause = closeLater(s);
        LOG.debug("topic {}: every slot busy; job stream paused", topic());
      }
      return lastPause;
    }
  }

  /**
   * Opens a paused stream again once a fetch found no backlog, a slot is free and no pushed job
   * waits for one. While the engine has a backlog, fetches serve it (a stream would only push new
   * jobs); while pushed jobs wait, the worker is still behind (a slot that just freed goes to one of
   * them). Reopening any earlier would open and close the stream once per job, and each close can
   * lose the jobs the engine pushes before it sees the close.
   */
  private void resumeStreamIfIdle() {
    if (!streaming) {
      return;
    }
    boolean waiting;
    synchronized (pushLock) {
      waiting = !pushedWaiting.isEmpty();
    }
    synchronized (streamLock) {
      if (accepting && streamPaused && !waiting && jobsHeld.get() < options.maxConcurrentJobs()) {
        streamPaused = false;
        openStream();
        LOG.debug("topic {}: no backlog and a slot free; job stream reopened", topic());
      }
    }
  }

  private void openStream() {
    try {
      stream = client.openStream(template.withMaxJobs(options.maxConcurrentJobs())
          .withLockDuration(Duration.ofMillis(pushLeaseMillis)).withLongPollTimeout(Duration.ZERO),
          this::onPushed);
    } catch (RuntimeException e) {
      LOG.warn("topic {}: cannot open the job stream, polling only: {}", topic(), e.toString());
    }
  }

  private CompletableFuture<Void> closeLater(JobStream s) {
    try {
      return CompletableFuture.runAsync(() -> closeQuietly(s), calls);
    } catch (RejectedExecutionException e) {
      closeQuietly(s);
      return CompletableFuture.completedFuture(null);
    }
  }

  private void closeQuietly(JobStream s) {
    try {
      s.close();
    } catch (RuntimeException e) {
      LOG.debug("topic {}: closing the job stream failed", topic(), e);
    }
  }

  private void closeStream() {
    JobStream s = stream;
    stream = null;
    if (s != null) {
      closeQuietly(s);
    }
  }

  // ---------------------------------------------------------------- running

  /** Runs a job that already holds a capacity slot; {@code arrivedAtMillis} is when it arrived. */
  private void dispatch(LockedJob job, long arrivedAtMillis, long lockMillis) {
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
      LOG.warn("topic {}: executor rejected job {}; releasing it", topic(), job.id());
      if (e.moveTo(State.QUEUED, State.DONE)) {
        releaseHeld(e);
      }
    }
    adjustStream();
  }

  /** The executor's thread for one job. */
  void execute(JobExecution e) {
    if (!accepting) {
      if (e.moveTo(State.QUEUED, State.DONE)) {
        releaseHeld(e);
      }
      return;
    }
    if (e.millisLeft() <= 0 || e.job.isLockLost()) {
      // Its lock ran out while it waited for this thread: another worker may run it already.
      lockLost(e, null);
      if (e.moveTo(State.QUEUED, State.DONE)) {
        e.finish();
      }
      return;
    }
    if (!e.moveTo(State.QUEUED, State.RUNNING)) {
      return; // released by close(), or left to the engine when its lock ran out
    }
    queued.remove(e);
    running.add(e);
    e.runningOn(Thread.currentThread());
    boolean handedBack = false;
    try {
      MalformedAnswerException unreadable = e.locked.readError();
      if (unreadable != null) {
        // Locked for us but unreadable: fail it with the reason, so it surfaces in the engine
        // (and ends in an incident once its retries are used) instead of running blind.
        e.moveTo(State.RUNNING, State.REPORTING);
        reporter.report(e, ResultReporter.failure(unreadable), Duration.ZERO, unreadable);
        return;
      }
      MDC.put("polyworker.jobId", e.locked.id());
      MDC.put("polyworker.topic", topic());
      events.emit(STARTED, topic(), e.locked.id());
      long started = System.nanoTime();
      JobResult result;
      Throwable error = null;
      try {
        result = subscription.handler().handle(e.job);
        if (result == null) {
          result = JobResult.fail("handler for topic '" + topic() + "' returned null instead of a JobResult");
        }
      } catch (BpmnError bpmn) {
        result = JobResult.bpmnError(bpmn.errorCode(), bpmn.getMessage(), bpmn.variables());
      } catch (Throwable thrown) {
        if (thrown instanceof VirtualMachineError vme) {
          throw vme;
        }
        error = thrown;
        result = ResultReporter.failure(thrown);
      }
      e.moveTo(State.RUNNING, State.REPORTING);
      if (interrupting && (Thread.interrupted() || error != null)) {
        // Stopped by close() past the drain deadline: not the job's fault, so no retry is used up.
        handedBack = true;
        releaseHeld(e);
        return;
      }
      reporter.report(e, result, Duration.ofNanos(System.nanoTime() - started), error);
    } finally {
      MDC.remove("polyworker.jobId");
      MDC.remove("polyworker.topic");
      running.remove(e);
      e.runningOn(null);
      if (!handedBack) {
        e.finish();
      }
    }
  }

  /** Releases a job that holds a slot, in the background, and then gives the slot back. */
  private void releaseHeld(JobExecution e) {
    e.done();
    releases.submit(() -> {
      try {
        release(e.locked);
      } finally {
        e.finish();
      }
    });
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

  /** Called once per job, when it leaves the worker. */
  void finished(JobExecution e) {
    queued.remove(e);
    jobsHeld.decrementAndGet();
    freeSlots(1);
  }

  /** Gives slots back, then lets waiting pushed jobs take them and reopens a paused stream. */
  private void freeSlots(int n) {
    if (n > 0) {
      capacity.release(n);
      dispatchWaiting();
      adjustStream();
    }
  }

  /** The job's lock is gone: one LOCK_LOST per lock, whoever notices first. */
  void lockLost(JobExecution e, @Nullable Throwable cause) {
    if (!e.job.markLockLost()) {
      return;
    }
    events.emit(LOCK_LOST, topic(), e.locked.id(), Duration.ZERO, 1, cause);
    if (e.moveTo(State.QUEUED, State.DONE)) {
      // Never started: leave it to the engine, which offers it again.
      LOG.warn("topic {}: the lock of job {} ran out before its handler started; left to the engine{}",
          topic(), e.locked.id(), cause == null ? "" : ": " + cause);
      e.finish();
    } else if (e.state() == State.RUNNING) {
      LOG.warn("topic {}: lost the lock of job {} while its handler runs{}", topic(), e.locked.id(),
          cause == null ? "" : ": " + cause);
    }
  }
}
