package io.polyworker.worker.internal;

import io.polyworker.Backoff;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * One long poll for all the idle subscriptions of a worker on one engine that fetches several topics
 * in one request ({@link io.polyworker.spi.Capability#MULTI_TOPIC_FETCH}, Camunda 7): an idle
 * worker holds one long poll however many topics it serves, instead of one per topic.
 *
 * <p>The policy. A subscription with such a shared poll never long-polls on its own: when its own
 * (immediate) fetch comes back empty it {@linkplain #offer joins} and parks. The main round (one
 * long poll, on this object's thread) takes every member in; members that join while a main round
 * is in flight get a catch-up round of their own within {@value #GATHER_MILLIS} ms, which ends
 * shortly before the main round does, so that its members join the next main round: no topic is
 * left unwatched for longer than that, and after a transition the worker is back to one long poll.
 * (With less than {@value #CATCH_UP_MIN_MILLIS} ms of the main round left, newcomers wait for the
 * next main round instead.) A job that arrives while its topic waits for a round is found by that
 * round's request at once: the waits add latency, they miss nothing.
 *
 * <p>A round reserves free slots of each of its members (the member's idle fetch size) and asks for
 * the smallest of these reservations in total, so that however the engine spreads the jobs over
 * the topics, each member's jobs fit its reservation. A member that gets jobs leaves and fetches on
 * its own again, so a busy topic never waits behind the others nor takes their slots; a member
 * without a free slot leaves too; the others stay for the next round. When a round fails, its
 * members leave and back off on their own, as they would have.
 *
 * <p>Closing: {@link #stop()} ends the rounds; a round in flight is left to end (as a subscription's
 * own long poll is: hanging up would leave the engine to lock jobs for a worker that is gone), its
 * jobs are handed back by their runners, and its reservations keep the drain waiting until then.
 * Thread-safe.
 */
final class SharedLongPoll {
  private static final Logger LOG = WorkerRuntime.LOG;
  /** An answer quicker than this did not wait on the server: back off instead of asking again. */
  private static final long MIN_LONG_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** Less than this left of the main round: a newcomer waits for the next one. */
  static final long CATCH_UP_MIN_MILLIS = 250;
  /** A catch-up round ends this much before the main round, so its members make the next one. */
  private static final long CATCH_UP_MARGIN_MILLIS = 100;
  /**
   * How long a round waits for more members after the first one joined: topics that go idle
   * together (all of them, at start) share one round. A job that arrives meanwhile is found by the
   * round's request at once: this adds at most this much to its pickup.
   */
  static final long GATHER_MILLIS = 20;

  /** One request in flight and the slots it reserved per member. */
  private static final class Round {
    final Map<FetchLoop, Integer> reserved;
    final List<FetchRequest> requests;
    /** When its long poll ends at the latest, on the wall clock. */
    final long deadlineMillis;
    final boolean catchUp;
    final long startedNanos = System.nanoTime();
    volatile @Nullable CompletableFuture<List<LockedJob>> future;

    Round(Map<FetchLoop, Integer> reserved, List<FetchRequest> requests, long deadlineMillis,
        boolean catchUp) {
      this.reserved = reserved;
      this.requests = requests;
      this.deadlineMillis = deadlineMillis;
      this.catchUp = catchUp;
    }
  }

  private final EngineClient client;
  private final ScheduledExecutorService timer;
  private final Executor calls;
  private final Backoff emptyBackoff;
  private final Backoff errorBackoff;
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Every loop parked here, whether waiting for a round or in one. */
  private final Set<FetchLoop> members = new HashSet<>();
  /** Members waiting for a round. */
  private final Set<FetchLoop> pending = new LinkedHashSet<>();
  /** The round each member in a round is in. */
  private final Map<FetchLoop, Round> covering = new LinkedHashMap<>();
  private @Nullable Round main;
  private final Set<Round> catchUps = new HashSet<>();
  private boolean stopped;
  private boolean catchUpPlanned;
  private @Nullable Thread thread;

  SharedLongPoll(EngineClient client, ScheduledExecutorService timer, Executor calls,
      Backoff emptyBackoff, Backoff errorBackoff, String workerId) {
    this.client = client;
    this.timer = timer;
    this.calls = calls;
    this.emptyBackoff = emptyBackoff;
    this.errorBackoff = errorBackoff;
    this.name = "polyworker-shared-poll-" + client.engineId() + "-" + workerId;
  }

  /**
   * A member's own long poll came back empty: it parks here until {@link FetchLoop#unpark()}.
   * Returns false once stopped (it must not park).
   */
  boolean offer(FetchLoop loop) {
    lock.lock();
    try {
      if (stopped) {
        return false;
      }
      members.add(loop);
      pending.add(loop);
      if (thread == null) {
        Thread t = new Thread(this::run, name);
        t.setDaemon(true);
        thread = t;
        t.start();
      }
      if (main != null && !catchUpPlanned) {
        catchUpPlanned = true;
        try {
          timer.schedule(() -> calls.execute(this::catchUp), GATHER_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
          catchUpPlanned = false;
        }
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return true;
  }

  /** The timer's task: a catch-up round for the members that joined during a main round. */
  private void catchUp() {
    Round r;
    lock.lock();
    try {
      catchUpPlanned = false;
      if (stopped) {
        return;
      }
      r = catchUpLocked();
      changed.signalAll(); // with too little of the main round left, the main thread takes them
    } finally {
      lock.unlock();
    }
    send(r);
  }

  /** The member fetches on its own again (it was woken, or it stops). */
  void leave(FetchLoop loop) {
    lock.lock();
    try {
      members.remove(loop);
      pending.remove(loop);
    } finally {
      lock.unlock();
    }
  }

  /** Whether a round in flight covers the member's topic. */
  boolean covers(FetchLoop loop) {
    lock.lock();
    try {
      return covering.containsKey(loop);
    } finally {
      lock.unlock();
    }
  }

  /** Ends the rounds; rounds in flight are left to end. Wakes every member. */
  void stop() {
    List<FetchLoop> wake;
    lock.lock();
    try {
      stopped = true;
      wake = new ArrayList<>(members);
      members.clear();
      pending.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    wake.forEach(FetchLoop::unpark);
  }

  /** Waits (until the deadline) for the rounds in flight to end; then cancels them. */
  void await(long deadlineNanos) throws InterruptedException {
    Thread t;
    lock.lock();
    try {
      t = thread;
    } finally {
      lock.unlock();
    }
    if (t != null) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
    }
    List<Round> left = new ArrayList<>();
    lock.lock();
    try {
      while (main != null || !catchUps.isEmpty()) {
        long wait = deadlineNanos - System.nanoTime();
        if (wait <= 0) {
          break;
        }
        changed.awaitNanos(wait);
      }
      if (main != null) {
        left.add(main);
      }
      left.addAll(catchUps);
    } finally {
      lock.unlock();
    }
    for (Round r : left) {
      CompletableFuture<List<LockedJob>> f = r.future;
      if (f != null) {
        f.cancel(true);
      }
    }
    if (t != null) {
      t.join(1_000);
    }
  }

  // ---------------------------------------------------------------- rounds

  private void run() {
    Backoff.Sequence errors = errorBackoff.start();
    Backoff.Sequence empties = emptyBackoff.start();
    while (true) {
      Round round;
      lock.lock();
      try {
        while (!stopped && (pending.isEmpty() || main != null)) {
          changed.await();
        }
        // Let the members that go idle together join this round.
        long gather = TimeUnit.MILLISECONDS.toNanos(GATHER_MILLIS);
        while (!stopped && gather > 0) {
          gather = changed.awaitNanos(gather);
        }
        if (stopped) {
          return;
        }
        round = prepareLocked(Long.MAX_VALUE, false);
        main = round;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      if (round == null) {
        continue;
      }
      send(round);
      List<LockedJob> jobs;
      Throwable error = null;
      try {
        jobs = java.util.Objects.requireNonNull(round.future).get();
      } catch (InterruptedException e) {
        end(round, List.of(), new CancellationException("interrupted"));
        return;
      } catch (ExecutionException | CancellationException e) {
        jobs = List.of();
        error = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      }
      long took = System.nanoTime() - round.startedNanos;
      end(round, jobs, error);
      if (error != null && !(error instanceof CancellationException)) {
        pause(errors.next());
      } else if (jobs.isEmpty() && took < MIN_LONG_POLL_NANOS) {
        errors.reset();
        pause(empties.next());
      } else {
        errors.reset();
        empties.reset();
      }
    }
  }

  /** A catch-up round for the pending members, if a main round has enough left; else null. */
  private @Nullable Round catchUpLocked() {
    Round m = main;
    if (m == null || pending.isEmpty()) {
      return null; // the main thread takes the pending members now
    }
    long left = m.deadlineMillis - System.currentTimeMillis();
    if (left < CATCH_UP_MIN_MILLIS) {
      return null; // they wait for the next main round
    }
    Round r = prepareLocked(left - CATCH_UP_MARGIN_MILLIS, true);
    if (r != null) {
      catchUps.add(r);
    }
    return r;
  }

  /**
   * Takes the pending members into a round: reserves each one's slots (a member with no free slot is
   * woken and leaves) and builds the request, its long poll at most {@code maxLongPollMillis}.
   * Returns null when no member could reserve.
   */
  private @Nullable Round prepareLocked(long maxLongPollMillis, boolean catchUp) {
    Map<FetchLoop, Integer> reserved = new LinkedHashMap<>();
    Duration longPoll = Duration.ofMillis(maxLongPollMillis == Long.MAX_VALUE ? Long.MAX_VALUE / 2 : maxLongPollMillis);
    for (FetchLoop m : pending) {
      int n = m.reserveForSharedPoll();
      if (n > 0) {
        reserved.put(m, n);
        Duration d = m.longPollFor();
        longPoll = d.compareTo(longPoll) < 0 ? d : longPoll;
      } else {
        members.remove(m);
        m.unpark(); // no free slot: it waits for one on its own
      }
    }
    pending.clear();
    if (reserved.isEmpty()) {
      return null;
    }
    int maxJobs = reserved.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
    List<FetchRequest> requests = new ArrayList<>(reserved.size());
    for (FetchLoop m : reserved.keySet()) {
      requests.add(m.template().withMaxJobs(maxJobs).withLongPollTimeout(longPoll));
    }
    Round r = new Round(reserved, requests, System.currentTimeMillis() + longPoll.toMillis(), catchUp);
    reserved.keySet().forEach(m -> covering.put(m, r));
    return r;
  }

  /** Sends a round; a catch-up round ends on the client's thread, a main round on this object's. */
  private void send(@Nullable Round round) {
    if (round == null) {
      return;
    }
    CompletableFuture<List<LockedJob>> f;
    try {
      f = client.fetchAndLock(round.requests);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    round.future = f;
    if (round.catchUp) {
      f.whenComplete((jobs, error) -> end(round, jobs == null ? List.of() : jobs,
          error instanceof CompletionException && error.getCause() != null ? error.getCause() : error));
    }
  }

  /**
   * Hands each member of an ended round its jobs, its empty answer or the failure. Members with jobs,
   * and all after a failure, leave and are woken; the others wait for the next round.
   */
  private void end(Round round, List<LockedJob> jobs, @Nullable Throwable error) {
    Map<String, FetchLoop> byTopic = new LinkedHashMap<>();
    round.reserved.keySet().forEach(m -> byTopic.put(m.topic(), m));
    Map<FetchLoop, List<LockedJob>> split = new LinkedHashMap<>();
    List<LockedJob> strays = new ArrayList<>();
    for (LockedJob job : jobs) {
      FetchLoop m = byTopic.get(job.topic());
      if (m == null) {
        strays.add(job);
      } else {
        split.computeIfAbsent(m, k -> new ArrayList<>()).add(job);
      }
    }
    List<FetchLoop> wake = new ArrayList<>();
    List<FetchLoop> stay = new ArrayList<>();
    lock.lock();
    try {
      for (FetchLoop m : round.reserved.keySet()) {
        covering.remove(m);
        if (!members.contains(m)) {
          continue; // left or stopped meanwhile
        }
        if (error != null || split.containsKey(m)) {
          members.remove(m);
          wake.add(m);
        } else {
          stay.add(m);
        }
      }
      if (round == main) {
        main = null;
      } else {
        catchUps.remove(round);
      }
    } finally {
      lock.unlock();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - round.startedNanos);
    boolean cancelled = error instanceof CancellationException;
    if (error != null && !cancelled) {
      LOG.debug("{}: the shared long poll of {} topic(s) failed; each polls on its own: {}",
          client.engineId(), round.reserved.size(), error.toString());
    }
    // Slots back first, so that the next round can reserve them again.
    for (Map.Entry<FetchLoop, Integer> e : round.reserved.entrySet()) {
      FetchLoop m = e.getKey();
      List<LockedJob> mine = split.getOrDefault(m, List.of());
      if (cancelled) {
        m.sharedPollAbandoned(e.getValue());
      } else if (error != null) {
        m.sharedPollFailed(e.getValue(), took, error);
      } else if (mine.isEmpty()) {
        m.sharedPollEmpty(e.getValue(), took);
      } else {
        m.sharedPollFetched(mine, e.getValue(), took);
      }
    }
    if (!strays.isEmpty()) {
      FetchLoop any = round.reserved.keySet().iterator().next();
      for (LockedJob job : strays) {
        LOG.warn("{}: the shared long poll brought job {} of topic {}, which it did not ask for; releasing it",
            client.engineId(), job.id(), job.topic());
        any.releaseStray(job);
      }
    }
    Round catchUp = null;
    lock.lock();
    try {
      for (FetchLoop m : stay) {
        if (members.contains(m)) {
          pending.add(m); // waits for the next round
        }
      }
      if (round.catchUp && !stopped) {
        catchUp = catchUpLocked();
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    wake.forEach(FetchLoop::unpark);
    send(catchUp);
  }

  private void pause(Duration delay) {
    lock.lock();
    try {
      if (!stopped) {
        changed.await(delay.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }
}
