package io.polyworker.worker.internal;

import static io.polyworker.WorkerEvent.Type.FETCHED;
import static io.polyworker.WorkerEvent.Type.POLL_EMPTY;
import static io.polyworker.WorkerEvent.Type.POLL_ERROR;

import io.polyworker.Backoff;
import io.polyworker.JobResult;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * A subscription's fetch loop, on its own poller thread: at most one fetch in flight, asking only
 * for free slots ({@link Capacity}); it refills once a quarter of the slots is free (half while
 * fetches come back full, so that fetches do not queue behind the completes of every finished job);
 * long polls where the engine has them, an empty-poll backoff where it has not, an error backoff
 * while the engine fails; and, on long-polling engines, one plain fetch when a retry backoff this
 * worker set ends during an open long poll ({@link #retryScheduled(JobResult)}).
 */
final class FetchLoop {
  private static final Logger LOG = WorkerRuntime.LOG;
  /** An "empty" long poll quicker than this did not wait on the server: back off as without long polling. */
  private static final long MIN_LONG_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** Added to a retry backoff before the due fetch, so the engine's own clock has passed it. */
  private static final long RETRY_DUE_MARGIN_MILLIS = 50;
  /** Backoffs ending within this window share one due fetch. */
  private static final long RETRY_DUE_WINDOW_MILLIS = 250;

  private final Parts parts;
  private final boolean longPolling;
  private final int fetchThreshold;
  private final int backlogThreshold;
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private volatile @Nullable CompletableFuture<List<LockedJob>> inFlight;
  private volatile boolean longPollInFlight;
  /** When the last due fetch was planned for (epoch ms), to batch backoffs that end close together. */
  private final AtomicLong plannedDueFetch = new AtomicLong();
  /** Guards the two fields below ({@link #longPollFor}). */
  private final Object reportingLock = new Object();
  /** Failures with a retry backoff being reported now. */
  private int failuresReporting;
  /** The shortest of their backoffs, in ms, since none was being reported. */
  private long shortestReportingBackoffMillis;
  private @Nullable Thread poller;
  /** The engine's one long poll for idle topics, where it fetches several topics at once. */
  private final @Nullable SharedLongPoll shared;
  /** The engine's shared schedule for idle topics, where it neither long-polls nor fetches several topics at once. */
  private final @Nullable IdlePolls idlePolls;
  /** Wakes a loop parked in the shared long poll or in the idle polls. */
  private final Semaphore wake = new Semaphore(0);
  private volatile boolean parked;
  /**
   * After a shared round failed: until then (System.nanoTime) this topic long-polls on its own, so
   * that a shared poll that keeps failing while single fetches work costs no more than the error
   * backoff allows. Written by the round that failed, read by the poller.
   */
  private volatile long ownPollsUntilNanos = System.nanoTime();
  /** The backoff of those windows; used by the shared poll's rounds, one at a time for this topic. */
  private final Backoff.Sequence sharedFailures;

  FetchLoop(Parts parts, boolean longPolling, @Nullable SharedLongPoll shared,
      @Nullable IdlePolls idlePolls) {
    this.parts = parts;
    this.longPolling = longPolling;
    this.shared = longPolling ? shared : null;
    this.idlePolls = longPolling ? null : idlePolls;
    this.sharedFailures = parts.worker().pollErrorBackoff().start();
    this.fetchThreshold = threshold(4);
    this.backlogThreshold = threshold(2);
  }

  private int threshold(int fraction) {
    return Math.max(1, Math.min(parts.options().maxJobsPerFetch(),
        (parts.capacity().limit() + fraction - 1) / fraction));
  }

  /**
   * How many slots a fetch after an empty one reserves on a worker over several engines: a quarter
   * of the engine's share. A long poll holds its reserved slots while it waits, so an idle engine
   * asking for all of them would keep them from an engine with work; when work comes, the next
   * fetch asks for the full amount again. With one engine, every fetch asks for maxJobsPerFetch.
   */
  private int idleLimit() {
    int full = parts.options().maxJobsPerFetch();
    if (!parts.capacity().shared()) {
      return full;
    }
    return Math.max(1, Math.min(full, (parts.capacity().share() + 3) / 4));
  }

  void start() {
    Thread t = new Thread(this::run, "polyworker-poller-" + parts.runner().threadLabel());
    t.setDaemon(false);
    poller = t;
    t.start();
  }

  /**
   * Stops the loop without blocking. A long poll in flight is left to finish: the engine would
   * otherwise keep it open after we hung up and lock the next job for a worker that is gone (Camunda
   * does). Other fetches are cancelled.
   */
  void stop() {
    stopSignal.countDown();
    if (shared != null) {
      shared.leave(this);
      unpark();
    }
    if (idlePolls != null) {
      idlePolls.leave(this);
      unpark();
    }
    CompletableFuture<List<LockedJob>> f = inFlight;
    if (f != null && !longPolling) {
      f.cancel(true);
    }
  }

  /** Waits (until the deadline) for the poller to end; then cancels its fetch. */
  void await(long deadlineNanos) throws InterruptedException {
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

  private void run() {
    Backoff.Sequence errorBackoff = parts.worker().pollErrorBackoff().start();
    Backoff.Sequence emptyBackoff = parts.worker().emptyPollBackoff().start();
    boolean failing = false;
    boolean backlog = false;
    boolean idle = true; // until a fetch brings work: on a shared pool, start with a small fetch
    while (parts.runner().accepting()) {
      int reserved;
      try {
        // While fetches come back full the engine has a backlog: wait for bigger batches, so that
        // fetches do not queue behind the completes of every finished job.
        reserved = parts.capacity().reserve(backlog ? backlogThreshold : fetchThreshold,
            idle ? idleLimit() : parts.options().maxJobsPerFetch());
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
        parts.runner().freeSlots(reserved);
        break;
      } catch (Throwable e) {
        parts.runner().freeSlots(reserved);
        parts.runner().engineError();
        if (shared != null) {
          shared.leave(this);
        }
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        parts.events().emit(POLL_ERROR, parts.runner().topic(), null, took, 0, cause);
        Duration delay = errorBackoff.next();
        if (!failing) {
          LOG.warn("{}: fetching failed, backing off (first retry in {} ms): {}",
              parts.label(), delay.toMillis(), cause.toString());
          failing = true;
        } else {
          LOG.debug("{}: fetch failed again, next retry in {} ms", parts.label(), delay.toMillis(), cause);
        }
        pause(delay);
        continue;
      }
      if (failing) {
        LOG.info("{}: fetching works again", parts.label());
        failing = false;
      }
      errorBackoff.reset();
      long took = System.nanoTime() - started;
      backlog = jobs.size() >= reserved;
      idle = jobs.isEmpty();
      if (backlog) {
        parts.runner().fetchWasFull();
      }
      if (!backlog) {
        parts.runner().fetchFoundNoBacklog();
      }
      if (jobs.isEmpty()) {
        parts.runner().freeSlots(reserved);
        parts.events().emit(POLL_EMPTY, parts.runner().topic(), null, Duration.ofNanos(took), 0, null);
        if (useShared()) {
          // Idle: wait in the engine's shared long poll (see there) until it brings this topic work.
          wake.drainPermits();
          if (shared.offer(this)) {
            park();
            idle = false; // most likely woken by jobs: ask for the full amount next
            backlog = false;
            continue;
          }
        }
        if (idlePolls != null && emptyBackoff.atMax()) {
          // Idle for a while: wait for the engine's shared idle schedule (see there) to wake it.
          wake.drainPermits();
          if (idlePolls.offer(this)) {
            park();
            idlePolls.leave(this);
            continue;
          }
        }
        if (!longPolling || took < MIN_LONG_POLL_NANOS) {
          pause(emptyBackoff.next());
        }
        continue;
      }
      emptyBackoff.reset();
      if (shared != null) {
        shared.leave(this);
      }
      parts.events().emit(FETCHED, parts.runner().topic(), null, Duration.ofNanos(took), jobs.size(), null);
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
        LOG.warn("{}: engine returned more jobs than asked for; releasing job {}", parts.label(), job.id());
        parts.releases().submit(() -> parts.runner().release(job));
      } else {
        parts.runner().dispatch(job, arrived, parts.options().lockDuration().toMillis());
      }
    }
    parts.runner().freeSlots(reserved - accepted);
  }

  private List<LockedJob> fetch(int n) throws InterruptedException, ExecutionException {
    FetchRequest request = parts.template().withMaxJobs(n);
    boolean sharedNow = useShared();
    if (sharedNow) {
      request = request.withLongPollTimeout(Duration.ZERO); // idle, it waits in the shared long poll
    } else if (longPolling) {
      // A long poll that began after a failure ends when that failure's backoff does (the due
      // fetch covers polls that were already open).
      request = request.withLongPollTimeout(longPollFor());
    }
    CompletableFuture<List<LockedJob>> f = parts.client().fetchAndLock(request);
    inFlight = f;
    longPollInFlight = longPolling && !sharedNow;
    try {
      if (!parts.runner().accepting()) {
        f.cancel(true);
      }
      return f.get();
    } finally {
      longPollInFlight = false;
      inFlight = null;
    }
  }

  /** Whether a fetch or long poll is in flight, its own or the shared one while it covers this topic. */
  boolean fetchInFlight() {
    return inFlight != null || (parked && shared != null && shared.covers(this));
  }

  // ---------------------------------------------------------------- the shared long poll's side

  /** Whether this topic waits in the shared long poll now (not right after a failed round). */
  private boolean useShared() {
    return shared != null && System.nanoTime() - ownPollsUntilNanos >= 0;
  }

  /** Whether the engine pushes this topic's new jobs now (its job stream is open). */
  boolean pushCoversNewJobs() {
    return parts.runner().pushCoversNewJobs();
  }

  /** Waits until the shared long poll, the idle polls (or stop) wake this loop. */
  private void park() {
    parked = true;
    try {
      while (parts.runner().accepting()) {
        if (wake.tryAcquire(1, TimeUnit.SECONDS)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      parked = false;
    }
  }

  void unpark() {
    wake.release();
  }

  String topic() {
    return parts.runner().topic();
  }

  FetchRequest template() {
    return parts.template();
  }

  /**
   * This topic's long poll, ending early when a retry backoff this worker set ends first, or, while
   * a failure with a retry backoff is being reported (its end not known yet), no later than that
   * backoff from now: the job's slot may have gone to this long poll already, so the due fetch
   * could find no slot free.
   */
  Duration longPollFor() {
    long millis = parts.options().longPollTimeout().toMillis();
    long untilDue = plannedDueFetch.get() - System.currentTimeMillis();
    if (untilDue > 0) {
      millis = Math.min(millis, untilDue);
    }
    synchronized (reportingLock) {
      if (failuresReporting > 0) {
        millis = Math.min(millis, shortestReportingBackoffMillis + RETRY_DUE_MARGIN_MILLIS);
      }
    }
    return Duration.ofMillis(millis);
  }

  /**
   * A failure with {@code backoff} is about to be reported, before its job's slot is given back; the
   * matching {@link #failureReported()} comes once the report ended ({@link #retryScheduled} first,
   * where it was taken).
   */
  void failureReporting(Duration backoff) {
    synchronized (reportingLock) {
      long b = backoff.toMillis();
      shortestReportingBackoffMillis = failuresReporting == 0 ? b : Math.min(shortestReportingBackoffMillis, b);
      failuresReporting++;
    }
  }

  void failureReported() {
    synchronized (reportingLock) {
      failuresReporting--;
    }
  }

  /** Reserves this topic's slots for a round of the shared long poll; 0 when none is free. */
  int reserveForSharedPoll() {
    return parts.runner().accepting() ? parts.capacity().tryReserve(idleLimit()) : 0;
  }

  /** Slots of this topic the shared long poll's round reserved; it gives them back in one of the below. */
  void sharedPollEmpty(int reserved, Duration took) {
    sharedFailures.reset();
    parts.runner().freeSlots(reserved);
    parts.events().emit(POLL_EMPTY, topic(), null, took, 0, null);
    parts.runner().fetchFoundNoBacklog();
  }

  void sharedPollFetched(List<LockedJob> jobs, int reserved, Duration took) {
    sharedFailures.reset();
    if (jobs.size() >= reserved) {
      parts.runner().fetchWasFull();
    }
    parts.events().emit(FETCHED, topic(), null, took, jobs.size(), null);
    accept(jobs, reserved);
  }

  void sharedPollFailed(int reserved, Duration took, Throwable error) {
    ownPollsUntilNanos = System.nanoTime() + sharedFailures.next().toNanos();
    parts.runner().freeSlots(reserved);
    parts.events().emit(POLL_ERROR, topic(), null, took, 0, error);
  }

  void sharedPollAbandoned(int reserved) {
    parts.runner().freeSlots(reserved);
  }

  /** Hands back a job of a topic the shared long poll did not ask for. */
  void releaseStray(LockedJob job) {
    parts.releases().submit(() -> parts.runner().release(job));
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
   * this adds at most one request per failure and never one while idle. On engines where idle
   * topics share a schedule ({@link IdlePolls}), the end of the backoff wakes this topic instead.
   */
  void retryScheduled(JobResult failure) {
    if ((!longPolling && idlePolls == null) || !setsRetryBackoff(failure)) {
      return;
    }
    long due = System.currentTimeMillis() + failure.retryBackoff().toMillis() + RETRY_DUE_MARGIN_MILLIS;
    long planned = plannedDueFetch.get();
    if (planned >= due && planned - due <= RETRY_DUE_WINDOW_MILLIS) {
      return;
    }
    if (!plannedDueFetch.compareAndSet(planned, due)) {
      return; // another failure planned one just now
    }
    try {
      Runnable action = longPolling ? () -> parts.calls().execute(this::dueFetch) : this::idleDue;
      parts.timer().schedule(action, due - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException ignored) {
      // closing
    }
  }

  /** Whether {@code result} is a failure after which the engine offers the job again once a backoff ended. */
  static boolean setsRetryBackoff(JobResult result) {
    Duration backoff = result.retryBackoff();
    Integer retries = result.retries();
    return result.kind() == JobResult.Kind.FAIL && backoff != null && !backoff.isZero() && retries != null
        && retries > 0;
  }

  /** A retry backoff ended: a topic waiting in the idle polls fetches now. */
  private void idleDue() {
    IdlePolls polls = idlePolls;
    if (polls != null && parked && parts.runner().accepting()) {
      polls.leave(this);
      unpark();
    }
  }

  private void dueFetch() {
    if (!parts.runner().accepting() || !(longPollInFlight || parked)) {
      return; // the poller's next fetch, or the one it is making now, takes the job
    }
    int n = 0;
    while (n < parts.options().maxJobsPerFetch() && parts.capacity().tryAcquire()) {
      n++;
    }
    if (n == 0) {
      return; // every slot busy: the job waits for one like any other
    }
    List<LockedJob> jobs;
    try {
      jobs = parts.client().fetchAndLock(parts.template().withMaxJobs(n).withLongPollTimeout(Duration.ZERO)).get();
    } catch (InterruptedException e) {
      parts.runner().freeSlots(n);
      Thread.currentThread().interrupt();
      return;
    } catch (ExecutionException | RuntimeException e) {
      parts.runner().freeSlots(n);
      LOG.debug("{}: fetch after a retry backoff failed; the long poll takes the job", parts.label(), e);
      return;
    }
    if (!jobs.isEmpty()) {
      parts.events().emit(FETCHED, parts.runner().topic(), null, Duration.ZERO, jobs.size(), null);
    }
    accept(jobs, n);
  }
}
