package io.polyworker.worker.internal;

import io.polyworker.Backoff;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * The idle polls of a worker's subscriptions on one engine that neither long-polls nor fetches
 * several topics at once (Flowable; Zeebe without long polling), shared so that the worker's idle
 * cost does not grow with its number of topics.
 *
 * <p>The policy. A topic whose fetches come back empty backs off on its own, as on any engine
 * ({@code emptyPollBackoff}, 20 ms doubling to 1 s by default), so a topic that just ran out of work
 * still finds the next job quickly. Once its backoff has reached its longest delay it joins this
 * set, and from then on, once per that delay (a tick):
 * <ul>
 *   <li>where the engine can tell whether any job waits ({@link Capability#JOB_PROBE}, Flowable),
 *       one probe asks for all the idle topics; only when it says yes does each idle topic fetch
 *       once. Idle, the engine gets one request per tick however many topics there are, and a new
 *       job is found as soon as with one topic, plus one probe's round trip.
 *   <li>where new jobs are pushed ({@link Capability#STREAMING}, Zeebe) and a topic's stream is open,
 *       its polls find only jobs that no stream pushed: jobs whose lock timed out, jobs failed with a
 *       retry backoff, jobs created while no stream was registered. Those topics take turns, oldest
 *       first, {@value #TURNS_PER_TICK} polls per tick in all: with {@code n} such topics each is
 *       polled every {@code n / 2} ticks. A retry backoff this worker set wakes its topic when it
 *       ends ({@link FetchLoop#retryScheduled}), so only jobs failed by other workers, timed out, or
 *       missed by the stream wait longer.
 *   <li>a topic whose stream is not open (reconnecting, paused) polls every tick, as on its own.
 * </ul>
 * A fetch that brings jobs takes its topic out of the set; an empty one puts it back at the end.
 * A failed probe wakes every idle topic (their own fetches meet the error and back off as usual),
 * and the next probe waits for the poll error backoff.
 *
 * <p>Thread-safety: topics join and leave from their poller threads; ticks run on the timer thread
 * and probes on the engine-call executor; {@link #lock} guards the set. Wake-ups happen outside it.
 */
final class IdlePolls {
  private static final Logger LOG = WorkerRuntime.LOG;
  /** Polls per tick for the idle topics whose stream is open; documented in the README. */
  static final int TURNS_PER_TICK = 2;

  private final EngineClient client;
  private final boolean probing;
  private final ScheduledExecutorService timer;
  private final Executor calls;
  private final long tickMillis;
  private final Backoff.Sequence probeFailures;
  private final Object lock = new Object();
  /** Idle topics, longest waiting first. */
  private final ArrayDeque<FetchLoop> members = new ArrayDeque<>();
  private boolean probeInFlight;
  private boolean stopped;
  private boolean warnedProbe;
  /** After a failed probe: none until then (System.nanoTime). */
  private long probeAgainAtNanos = System.nanoTime();
  private @Nullable ScheduledFuture<?> ticks;

  IdlePolls(EngineClient client, ScheduledExecutorService timer, Executor calls, Backoff emptyPollBackoff,
      Backoff pollErrorBackoff) {
    this.client = client;
    this.probing = client.capabilities().has(Capability.JOB_PROBE);
    this.timer = timer;
    this.calls = calls;
    this.tickMillis = emptyPollBackoff.max().toMillis();
    this.probeFailures = pollErrorBackoff.start();
  }

  /**
   * Whether the idle topics that poll on this engine (those that do not long-poll) gain from
   * sharing: there is a probe, or streams push new jobs.
   */
  static boolean worthwhile(EngineClient client) {
    var caps = client.capabilities();
    return caps.has(Capability.JOB_PROBE) || caps.has(Capability.STREAMING);
  }

  void start() {
    synchronized (lock) {
      if (stopped || ticks != null) {
        return;
      }
      try {
        ticks = timer.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        stopped = true; // the worker is closing
      }
    }
  }

  /** Ends the ticks and wakes every idle topic, whose loop then sees the worker closing. */
  void stop() {
    synchronized (lock) {
      stopped = true;
      if (ticks != null) {
        ticks.cancel(false);
      }
    }
    wakeAll(); // no topic joins once stopped (offer)
  }

  /**
   * Takes an idle topic in; it parks until a tick wakes it. False once stopped: the topic backs off
   * on its own.
   */
  boolean offer(FetchLoop loop) {
    synchronized (lock) {
      if (stopped) {
        return false;
      }
      if (!members.contains(loop)) {
        members.addLast(loop);
      }
      return true;
    }
  }

  void leave(FetchLoop loop) {
    synchronized (lock) {
      members.remove(loop);
    }
  }

  /** Idle topics now, for tests and state. */
  int idle() {
    synchronized (lock) {
      return members.size();
    }
  }

  private void tick() {
    try {
      if (probing) {
        probeTick();
      } else {
        turnsTick();
      }
    } catch (RuntimeException e) {
      // Never let one tick end the schedule.
      LOG.warn("{}: the idle poll schedule failed; idle topics poll on their own meanwhile",
          client.engineId(), e);
      wakeAll();
    }
  }

  private void probeTick() {
    List<FetchRequest> requests = new ArrayList<>();
    boolean throttled;
    synchronized (lock) {
      if (stopped || members.isEmpty() || probeInFlight) {
        return;
      }
      // After a failed probe the idle topics poll each tick, as they would on their own.
      throttled = System.nanoTime() - probeAgainAtNanos < 0;
      if (!throttled) {
        probeInFlight = true;
        for (FetchLoop m : members) {
          requests.add(m.template());
        }
      }
    }
    if (throttled) {
      wakeAll();
      return;
    }
    try {
      calls.execute(() -> probe(requests));
    } catch (RejectedExecutionException closing) {
      synchronized (lock) {
        probeInFlight = false;
      }
    }
  }

  private void probe(List<FetchRequest> requests) {
    boolean waiting;
    try {
      waiting = client.jobsWaiting(requests);
      synchronized (lock) {
        probeFailures.reset();
        warnedProbe = false;
      }
    } catch (RuntimeException e) {
      Duration pause;
      boolean warn;
      synchronized (lock) {
        pause = probeFailures.next();
        probeAgainAtNanos = System.nanoTime() + pause.toNanos();
        warn = !warnedProbe;
        warnedProbe = true;
      }
      if (warn) {
        LOG.warn("{}: asking whether jobs wait failed; its {} idle topic(s) poll on their own for {} ms: {}",
            client.engineId(), requests.size(), pause.toMillis(), e.toString());
      } else {
        LOG.debug("{}: asking whether jobs wait failed again", client.engineId(), e);
      }
      waiting = true;
    } finally {
      synchronized (lock) {
        probeInFlight = false;
      }
    }
    if (waiting) {
      wakeAll();
    }
  }

  private void turnsTick() {
    List<FetchLoop> woken = new ArrayList<>();
    synchronized (lock) {
      int turns = TURNS_PER_TICK;
      for (Iterator<FetchLoop> it = members.iterator(); it.hasNext(); ) {
        FetchLoop m = it.next();
        if (!m.pushCoversNewJobs()) {
          it.remove();
          woken.add(m); // nothing pushes its new jobs now: it polls each tick
        } else if (turns > 0) {
          turns--;
          it.remove();
          woken.add(m);
        }
      }
    }
    woken.forEach(FetchLoop::unpark);
  }

  private void wakeAll() {
    List<FetchLoop> woken;
    synchronized (lock) {
      woken = new ArrayList<>(members);
      members.clear();
    }
    woken.forEach(FetchLoop::unpark);
  }

  @Override
  public String toString() {
    return "IdlePolls[" + client.engineId() + (probing ? ", probing" : ", taking turns") + ", idle="
        + idle() + "]";
  }
}
