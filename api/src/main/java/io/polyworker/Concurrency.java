package io.polyworker;

/**
 * How many jobs a subscription holds at once: a fixed number (the default, 32), or an adaptive one
 * between a minimum and a maximum.
 *
 * <p>{@link #adaptive(int, int) Adaptive} is opt-in. The runtime starts at the minimum and, every
 * 200 ms, grows the limit by a quarter while all of these hold: the slots were all in use, the
 * engine had more work (a fetch came back full), the worker's JVM used less than 80 % of its CPUs,
 * and handlers run no slower than 1.5 times the fastest they ran recently. It shrinks the limit by a
 * quarter when the engine failed a fetch or a report (including back pressure) and by a tenth when
 * handlers slow down beyond that; never below the minimum, never above the maximum. Jobs already
 * held are never taken away: a smaller limit applies as they end. Use it for handlers that wait
 * (I/O) and whose rate the engine, not what they call, should bound; keep a fixed limit as a
 * bulkhead for what a handler calls.
 *
 * <p>Immutable and thread-safe.
 */
public final class Concurrency {
  private final int min;
  private final int max;
  private final boolean adaptive;

  private Concurrency(int min, int max, boolean adaptive) {
    this.min = min;
    this.max = max;
    this.adaptive = adaptive;
  }

  /** Exactly {@code n} jobs at once, at least 1. */
  public static Concurrency fixed(int n) {
    Options.positive(n, "maxConcurrentJobs");
    return new Concurrency(n, n, false);
  }

  /**
   * Between {@code min} (at least 1, where it starts) and {@code max} (at least {@code min}) jobs at
   * once, adapted as described above.
   */
  public static Concurrency adaptive(int min, int max) {
    Options.positive(min, "adaptive concurrency min");
    if (max < min) {
      throw new IllegalArgumentException("adaptive concurrency max must be >= min (" + min + "), was " + max);
    }
    return new Concurrency(min, max, true);
  }

  /** The fewest jobs held at once: the fixed limit, or the adaptive limit's floor and start. */
  public int min() {
    return min;
  }

  /** The most jobs held at once: the fixed limit, or the adaptive limit's ceiling. */
  public int max() {
    return max;
  }

  public boolean isAdaptive() {
    return adaptive;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Concurrency c && c.min == min && c.max == max && c.adaptive == adaptive;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * min + max) + (adaptive ? 1 : 0);
  }

  @Override
  public String toString() {
    return adaptive ? "adaptive(" + min + ".." + max + ")" : Integer.toString(max);
  }
}
