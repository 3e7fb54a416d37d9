package io.polyworker.worker.internal;


import io.polyworker.Concurrency;
import io.polyworker.WorkerOptions;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs behind a {@code JobWorker}: a {@link SubscriptionRunner} per subscription, one timer
 * thread and one executor for the runtime's own engine calls shared by all of them. Closing walks
 * the runners through stop-fetching, drain, interrupt-stragglers, in that order, under one deadline.
 */
public final class WorkerRuntime {
  static final Logger LOG = LoggerFactory.getLogger("io.polyworker.worker");
  /** How long close() waits past the drain deadline for interrupted handlers and releases. */
  private static final Duration GRACE = Duration.ofSeconds(5);

  private enum State { NEW, RUNNING, CLOSING, CLOSED }

  private final WorkerOptions options;
  private final List<SubscriptionRunner> runners = new ArrayList<>();
  /** One per engine (and priority setting) that fetches several topics at once, with two or more idle-capable subscriptions. */
  private final List<SharedLongPoll> sharedPolls = new ArrayList<>();
  private final List<IdlePolls> idlePolls = new ArrayList<>();
  private final List<AdaptiveLimit> adaptiveLimits = new ArrayList<>();
  /** Times lock extensions and retry-due fetches; never makes a call itself. */
  private final ScheduledThreadPoolExecutor timer;
  /** Blocking engine calls of the runtime's own (lock extensions, releases, due fetches). */
  private final ExecutorService calls;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final CountDownLatch terminated = new CountDownLatch(1);
  /** The engine ids, for the start line. */
  private final String engines;
  private final int subscriptionCount;

  /**
   * A runtime over {@code clients} (distinct engines): a runner per subscription and engine it is
   * served on ({@link io.polyworker.SubscriptionOptions#engines()}, all when empty), the runners of
   * one subscription sharing one {@link Capacity.Pool} of maxConcurrentJobs slots.
   */
  public WorkerRuntime(List<EngineClient> clients, WorkerOptions options, List<Subscription> subscriptions) {
    this.options = options;
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "polyworker-lock-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.calls = HandlerExecutors.engineCalls();
    Map<String, Events> events = new LinkedHashMap<>();
    for (EngineClient c : clients) {
      events.put(c.engineId(), new Events(c.engineId(), options.workerId(), options.listener()));
    }
    Map<String, SharedLongPoll> shared = sharedLongPolls(clients, options, subscriptions, timer, calls);
    Map<String, IdlePolls> idle = idlePolls(clients, options, subscriptions, timer, calls);
    for (Subscription s : subscriptions) {
      List<EngineClient> served = new ArrayList<>();
      for (EngineClient c : clients) {
        if (serves(s, c)) {
          served.add(c);
        }
      }
      Concurrency concurrency = s.options().concurrency();
      Capacity.Pool pool = new Capacity.Pool(concurrency.max(), concurrency.min(), served.size());
      AdaptiveLimit adaptive = null;
      if (concurrency.isAdaptive()) {
        adaptive = new AdaptiveLimit(concurrency, pool, "topic " + s.topic());
        adaptiveLimits.add(adaptive);
      }
      for (EngineClient c : served) {
        runners.add(new SubscriptionRunner(c, options, s,
            new Capacity(pool, s.options().maxConcurrentJobsPerEngine()), timer, calls,
            events.get(c.engineId()), shared.get(sharedKey(c, s)), idle.get(c.engineId()), adaptive));
      }
    }
    this.engines = String.join(", ", events.keySet());
    this.subscriptionCount = subscriptions.size();
    this.sharedPolls.addAll(new java.util.LinkedHashSet<>(shared.values()));
    this.idlePolls.addAll(idle.values());
  }

  /**
   * The shared idle polls ({@link IdlePolls}), by engine id: on each engine that neither long-polls
   * nor fetches several topics at once but can probe for waiting jobs or pushes new ones, one for
   * the subscriptions that poll there, where there are at least two of them.
   */
  private static Map<String, IdlePolls> idlePolls(List<EngineClient> clients, WorkerOptions options,
      List<Subscription> subscriptions, ScheduledExecutorService timer, ExecutorService calls) {
    Map<String, IdlePolls> out = new LinkedHashMap<>();
    for (EngineClient c : clients) {
      if (!IdlePolls.worthwhile(c)) {
        continue;
      }
      long polling = subscriptions.stream()
          .filter(s -> serves(s, c) && !SubscriptionRunner.longPolls(c, s.options())).count();
      if (polling > 1) {
        out.put(c.engineId(), new IdlePolls(c, timer, calls, options.emptyPollBackoff(),
            options.pollErrorBackoff()));
      }
    }
    return out;
  }

  /**
   * The shared long polls ({@link SharedLongPoll}): on each engine that fetches several topics at
   * once, one for the long-polling subscriptions it serves, per usePriority setting (one request has
   * one), where there are at least two of them.
   */
  private static Map<String, SharedLongPoll> sharedLongPolls(List<EngineClient> clients,
      WorkerOptions options, List<Subscription> subscriptions, ScheduledExecutorService timer,
      ExecutorService calls) {
    Map<String, List<String>> topics = new LinkedHashMap<>();
    Map<String, EngineClient> clientOf = new LinkedHashMap<>();
    for (Subscription s : subscriptions) {
      for (EngineClient c : clients) {
        if (serves(s, c) && c.capabilities().has(Capability.MULTI_TOPIC_FETCH)
            && SubscriptionRunner.longPolls(c, s.options())) {
          topics.computeIfAbsent(sharedKey(c, s), k -> new ArrayList<>()).add(s.topic());
          clientOf.put(sharedKey(c, s), c);
        }
      }
    }
    Map<String, SharedLongPoll> out = new LinkedHashMap<>();
    topics.forEach((key, list) -> {
      if (list.size() > 1) {
        out.put(key, new SharedLongPoll(clientOf.get(key), timer, calls, options.emptyPollBackoff(),
            options.pollErrorBackoff(), options.workerId()));
      }
    });
    return out;
  }

  /** Whether the subscription is served on this engine ({@code SubscriptionOptions.engines()}, all when empty). */
  private static boolean serves(Subscription s, EngineClient c) {
    return s.options().engines().isEmpty() || s.options().engines().contains(c.engineId());
  }

  private static String sharedKey(EngineClient c, Subscription s) {
    boolean priority = s.options().usePriority() && c.capabilities().has(Capability.PRIORITY);
    return c.engineId() + (priority ? "/priority" : "");
  }

  /** Each subscription's counts now, in subscription order. */
  public List<RunnerState> states() {
    List<RunnerState> states = new ArrayList<>(runners.size());
    for (SubscriptionRunner r : runners) {
      states.add(r.state());
    }
    return states;
  }

  /** Starts polling. Idempotent while running. */
  public void start() {
    if (state.compareAndSet(State.NEW, State.RUNNING)) {
      LOG.info("worker {} starting: {} subscription(s) on {}", options.workerId(), subscriptionCount,
          engines);
      runners.forEach(SubscriptionRunner::start);
      adaptiveLimits.forEach(a -> a.start(timer));
      idlePolls.forEach(IdlePolls::start);
    } else if (state.get() != State.RUNNING) {
      throw new IllegalStateException("worker " + options.workerId() + " is closed and cannot be restarted");
    }
  }

  /**
   * Stop fetching and hand back every unstarted job at once; let a long poll in flight end; wait for
   * running handlers and reports until the drain deadline; then interrupt what still runs and wait a
   * short grace. Returns within drainTimeout plus {@link #GRACE} (a request in flight past that is
   * left behind), and says once how many jobs it could not finish or hand back.
   */
  /** See {@code JobWorker.close()}. */
  public void close() {
    State previous = state.getAndUpdate(s -> s == State.CLOSED ? s : State.CLOSING);
    if (previous == State.CLOSING || previous == State.CLOSED) {
      awaitQuietly();
      return;
    }
    try {
      long started = System.nanoTime();
      long deadline = started + options.drainTimeout().toNanos();
      runners.forEach(SubscriptionRunner::stopFetching);
      sharedPolls.forEach(SharedLongPoll::stop);
      idlePolls.forEach(IdlePolls::stop);
      for (SubscriptionRunner r : runners) {
        r.awaitPoller(deadline);
      }
      for (SharedLongPoll p : sharedPolls) {
        p.await(deadline);
      }
      // What the last fetch brought, and anything that slipped in meanwhile.
      runners.forEach(SubscriptionRunner::releaseQueued);
      boolean drained = true;
      for (SubscriptionRunner r : runners) {
        drained &= r.awaitDrained(deadline);
      }
      if (!drained) {
        LOG.warn("worker {}: jobs still running after the drain timeout of {}; interrupting them",
            options.workerId(), options.drainTimeout());
        runners.forEach(SubscriptionRunner::interruptHandlers);
        long graceDeadline = System.nanoTime() + GRACE.toNanos();
        for (SubscriptionRunner r : runners) {
          r.awaitDrained(graceDeadline);
        }
      }
      int left = 0;
      for (SubscriptionRunner r : runners) {
        left += r.held();
      }
      if (left > 0) {
        LOG.warn("worker {}: {} job(s) could be neither finished nor handed back before close()"
            + " returned; their locks will expire and the engine offers them again", options.workerId(),
            left);
      }
      shutdownExecutors();
      LOG.info("worker {} closed in {} ms", options.workerId(),
          (System.nanoTime() - started) / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      runners.forEach(SubscriptionRunner::interruptHandlers);
      shutdownExecutors();
    } finally {
      state.set(State.CLOSED);
      terminated.countDown();
    }
  }

  private void shutdownExecutors() {
    runners.forEach(SubscriptionRunner::shutdown);
    timer.shutdownNow();
    calls.shutdownNow();
  }

  private void awaitQuietly() {
    try {
      terminated.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  public boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  public String workerId() {
    return options.workerId();
  }

  @Override
  public String toString() {
    return "JobWorker[" + options.workerId() + ", " + state.get() + "]";
  }
}
