package io.polyworker.worker.internal;

import io.polyworker.Concurrency;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * An adaptive limit ({@link Concurrency#adaptive(int, int)}) on one subscription's {@link Capacity.Pool}:
 * every {@value #TICK_MILLIS} ms it looks at what happened since the last look and moves the pool's
 * limit between the minimum and the maximum. It grows by a quarter (at least one) while the slots
 * were all in use, a fetch came back full, the JVM used less than {@value #CPU_CEILING_PERCENT} % of
 * its CPUs and handlers ran no slower than {@value #SLOWDOWN} times the baseline (the fastest mean
 * seen lately); it shrinks by a quarter after an engine error (a failed fetch or report attempt,
 * back pressure included) and by a tenth when handlers ran slower than that. Thread-safe: signals
 * come from every runtime thread, the tick runs on the runtime's timer and calls no engine.
 */
final class AdaptiveLimit {
  private static final Logger LOG = WorkerRuntime.LOG;
  static final long TICK_MILLIS = 200;
  private static final int CPU_CEILING_PERCENT = 80;
  private static final double SLOWDOWN = 1.5;
  /** Completions below this in a tick say too little about handler latency to grow or shrink by it. */
  private static final int MIN_SAMPLES = 4;

  private final Concurrency concurrency;
  private final Capacity.Pool pool;
  private final String label;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final LongAdder completions = new LongAdder();
  private final LongAdder handlerNanos = new LongAdder();
  private final AtomicBoolean errors = new AtomicBoolean();
  private final AtomicBoolean backlog = new AtomicBoolean();
  private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
  /** The baseline mean handler time (ns), guarded by the tick's single thread. */
  private double baseline;

  AdaptiveLimit(Concurrency concurrency, Capacity.Pool pool, String label) {
    this.concurrency = concurrency;
    this.pool = pool;
    this.label = label;
  }

  /** Runs after every change of the limit (pushed jobs waiting for a slot may start). */
  void onChange(Runnable listener) {
    listeners.add(listener);
  }

  void start(ScheduledExecutorService timer) {
    try {
      timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // closed before it started
    }
  }

  void handlerDone(long nanos) {
    completions.increment();
    handlerNanos.add(nanos);
  }

  /** A fetch brought as many jobs as it asked for: the engine has more. */
  void fetchWasFull() {
    backlog.set(true);
  }

  /** A fetch or a report attempt failed on the engine's side (back pressure included). */
  void engineError() {
    errors.set(true);
  }

  /** One look at what happened since the last one; moves the limit if the policy says so. */
  void tick() {
    try {
      int now = pool.target();
      int next = decide(now);
      if (next != now) {
        pool.target(next);
        LOG.debug("{}: adaptive concurrency {} -> {} ({})", label, now, next, concurrency);
        listeners.forEach(Runnable::run);
      }
    } catch (RuntimeException e) {
      LOG.warn("{}: adaptive concurrency could not adjust its limit", label, e);
    }
  }

  private int decide(int now) {
    boolean saturated = pool.takeSaturated() || pool.held() >= now;
    long n = completions.sumThenReset();
    long nanos = handlerNanos.sumThenReset();
    boolean failed = errors.getAndSet(false);
    boolean more = backlog.getAndSet(false);
    if (failed) {
      return Math.max(concurrency.min(), now - Math.max(1, now / 4));
    }
    boolean slower = false;
    if (n >= MIN_SAMPLES) {
      double mean = (double) nanos / n;
      if (baseline == 0 || mean < baseline) {
        baseline = mean;
      } else {
        baseline += (mean - baseline) * 0.02; // a new normal, slowly
      }
      slower = mean > baseline * SLOWDOWN + TimeUnit.MILLISECONDS.toNanos(1);
    }
    if (slower) {
      return Math.max(concurrency.min(), now - Math.max(1, now / 10));
    }
    if (saturated && more && cpuAllows()) {
      return Math.min(concurrency.max(), now + Math.max(1, now / 4));
    }
    return now;
  }

  private boolean cpuAllows() {
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      double load = sun.getProcessCpuLoad();
      return load < 0 || load * 100 < CPU_CEILING_PERCENT;
    }
    return true;
  }
}
