package io.polyworker.worker.internal;

import static io.polyworker.WorkerEvent.Type.LOCK_LOST;
import static io.polyworker.WorkerEvent.Type.PUSHED;

import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.JobStream;
import io.polyworker.spi.LockedJob;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * A subscription's job stream and the jobs it pushed that wait for a slot. A saturated worker holds
 * no more than it can start: the stream is closed (paused) once every slot is held by a job and a
 * pushed job has to wait, so the engine keeps the excess, available to other workers; it is opened
 * again when a fetch found no backlog, a slot is free and no pushed job waits. A pushed job that
 * arrives before the pause took effect waits for a slot in a queue of at most
 * {@link #QUEUE_LIMIT} jobs, plus as many as a fetch in flight has slots reserved (they come back
 * when it ends); past that, it is handed back once the stream is closed, so the engine offers it to
 * other workers and not to this one again.
 *
 * <p>Thread-safety: pushes arrive on the stream's delivery thread, slots free on handler and report
 * threads, fetches end on the poller; {@code queueLock} guards the queue and the open flag, so no
 * push slips past {@link #stop()}, and {@code streamLock} guards the stream. Neither is held while
 * the other is taken.
 */
final class PushedJobs {
  private static final Logger LOG = WorkerRuntime.LOG;
  /** Pushed jobs that may wait for a slot; documented in the README. */
  static final int QUEUE_LIMIT = 4;
  /**
   * The lock a pushed job gets from the stream when locks can be extended; held jobs are extended to
   * lockDuration before it ends. Closing a stream drops the jobs the engine had already sent on it
   * (they come back when their lock ends): the short lease makes that seconds, not lockDuration.
   * Documented in the README.
   */
  static final Duration LEASE = Duration.ofSeconds(3);

  private final Parts parts;
  private final FetchRequest streamRequest;
  private final long leaseMillis;

  private final Object queueLock = new Object();
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  /** Written under queueLock; read under streamLock too, so a reopen cannot follow stop(). */
  private volatile boolean open = true;

  private final Object streamLock = new Object();
  private @Nullable JobStream stream;
  private boolean paused;
  /** The close of the last paused stream: jobs it pushed past the queue are handed back after it. */
  private CompletableFuture<Void> lastPause = CompletableFuture.completedFuture(null);

  /** A pushed job and when it arrived: its lock has been running since. */
  private record Waiting(LockedJob job, long arrivedAtMillis) {}

  PushedJobs(Parts parts, long leaseMillis) {
    this.parts = parts;
    this.leaseMillis = leaseMillis;
    this.streamRequest = parts.template().withMaxJobs(parts.capacity().limit()).withLockDuration(Duration.ofMillis(leaseMillis))
        .withLongPollTimeout(Duration.ZERO);
  }

  /**
   * The slots this subscription's jobs may hold on this engine now: its limit, less what its other
   * engines hold on a worker over several ({@link Capacity#limitNow()}).
   */
  private int slots() {
    return parts.capacity().limitNow();
  }

  /** The lock of a pushed job, in ms. */
  long leaseMillis() {
    return leaseMillis;
  }

  void start() {
    synchronized (streamLock) {
      openStream();
    }
  }

  /** Closes the stream and hands back every job that waits for a slot; later pushes are handed back. */
  void stop() {
    synchronized (queueLock) {
      open = false;
      Waiting w;
      while ((w = waiting.poll()) != null) {
        LockedJob job = w.job();
        parts.releases().submit(() -> parts.runner().release(job));
      }
    }
    synchronized (streamLock) {
      JobStream s = stream;
      stream = null;
      if (s != null) {
        closeQuietly(s);
      }
    }
  }

  /**
   * A pushed job, on the stream's own delivery thread, which never blocks: a job that finds neither
   * a slot nor a place in the queue (the engine pushed it before it saw the pause) pauses the stream
   * if it still runs and is handed back once that stream is closed, so the engine offers it to
   * other workers at once, one FAILED record per job, and never pushes it back to this worker.
   * (Holding the delivery thread instead would leave the jobs the gRPC parts.client() buffered behind it
   * activated for this worker: cancelling the stream drops them, and they come back only when their
   * lease ends.)
   */
  private void onPushed(LockedJob job) {
    long now = System.currentTimeMillis();
    parts.events().emit(PUSHED, parts.runner().topic(), job.id());
    boolean start = false;
    boolean handBack = false;
    synchronized (queueLock) {
      if (!open) {
        handBack = true; // close() began while the job was on its way in
      } else if (waiting.isEmpty() && parts.capacity().tryAcquire()) {
        start = true;
      } else if (waiting.size() < QUEUE_LIMIT + Math.max(0, slots() - parts.runner().jobsHeld())) {
        // Slots that no job holds are reserved by a fetch in flight and come back when it ends:
        // a push may wait for them too. Only a worker whose slots are all held by jobs hands back.
        waiting.add(new Waiting(job, now));
      } else {
        handBack = true;
      }
    }
    if (start) {
      parts.runner().dispatch(job, now, leaseMillis);
    } else if (handBack) {
      CompletableFuture<Void> closed = pause();
      parts.releases().submit(() -> {
        closed.handle((v, e) -> null).join();
        parts.runner().release(job);
      });
    }
    adjust();
  }

  /** Starts waiting pushed jobs while slots are free. */
  void dispatchWaiting() {
    while (true) {
      Waiting next;
      synchronized (queueLock) {
        if (!open || waiting.isEmpty() || !parts.capacity().tryAcquire()) {
          return;
        }
        next = waiting.poll();
      }
      long lockLeft = Math.min(next.job().lockExpiresAt().toEpochMilli(),
          next.arrivedAtMillis() + leaseMillis) - System.currentTimeMillis();
      if (lockLeft <= 0) {
        // Its lock ran out while it waited: the engine offers it again; running it here could run
        // it twice.
        LOG.debug("{}: pushed job {} waited past its lock; left to the engine", parts.label(),
            next.job().id());
        parts.events().emit(LOCK_LOST, parts.runner().topic(), next.job().id());
        parts.capacity().release(1);
        continue;
      }
      parts.runner().dispatch(next.job(), next.arrivedAtMillis(), leaseMillis);
    }
  }

  /** Pushed jobs waiting for a slot. */
  int waiting() {
    synchronized (queueLock) {
      return waiting.size();
    }
  }

  /** Whether the job stream is open: not paused, not stopped, and connected ({@link JobStream#isOpen()}). */
  boolean streamOpen() {
    synchronized (streamLock) {
      return stream != null && stream.isOpen();
    }
  }

  private boolean anyWaiting() {
    synchronized (queueLock) {
      return !waiting.isEmpty();
    }
  }

  /**
   * Pauses the stream once a pushed job has to wait for a slot: every slot is held and the engine
   * keeps pushing. (Pausing as soon as the last slot is taken would close and reopen the stream for
   * every job on a one-slot worker.) {@link #resumeIfIdle()} opens it again.
   */
  void adjust() {
    if (parts.runner().jobsHeld() >= slots() && anyWaiting()) {
      pause();
    }
  }

  /**
   * Pauses the stream if it is open and returns the end of the last pause's close. The close runs on
   * another thread: cancelling the stream inside its own callback would make the gRPC parts.client() drop
   * the jobs it already received behind this one, leaving them activated for this worker until their
   * lease ends. From another thread the callback keeps delivering them (into the queue, or handed
   * back) until the cancel takes effect.
   */
  private CompletableFuture<Void> pause() {
    synchronized (streamLock) {
      JobStream s = stream;
      if (s != null) {
        stream = null;
        paused = true;
        lastPause = closeLater(s);
        LOG.debug("{}: every slot busy; job stream paused", parts.label());
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
  void resumeIfIdle() {
    boolean idle;
    synchronized (queueLock) {
      idle = open && waiting.isEmpty();
    }
    synchronized (streamLock) {
      if (open && idle && paused && parts.runner().jobsHeld() < slots()) {
        paused = false;
        openStream();
        LOG.debug("{}: no backlog and a slot free; job stream reopened", parts.label());
      }
    }
  }

  private void openStream() {
    try {
      stream = parts.client().openStream(streamRequest, this::onPushed);
    } catch (RuntimeException e) {
      LOG.warn("{}: cannot open the job stream, polling only: {}", parts.label(), e.toString());
    }
  }

  private CompletableFuture<Void> closeLater(JobStream s) {
    try {
      return CompletableFuture.runAsync(() -> closeQuietly(s), parts.calls());
    } catch (RejectedExecutionException e) {
      closeQuietly(s);
      return CompletableFuture.completedFuture(null);
    }
  }

  private void closeQuietly(JobStream s) {
    try {
      s.close();
    } catch (RuntimeException e) {
      LOG.debug("{}: closing the job stream failed", parts.label(), e);
    }
  }
}
