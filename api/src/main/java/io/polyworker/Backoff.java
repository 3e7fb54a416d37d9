package io.polyworker;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt of something that failed or found nothing: every retry
 * and poll loop of Polyworker uses one. Immutable and thread-safe; made with {@link #exponential}
 * or {@link #fixed}. {@link #delay(int)} gives the plain delay of an attempt; {@link #start()} a
 * sequence of delays with jitter for one loop.
 *
 * <p>An exponential backoff doubles from {@code initial} up to {@code max}. With jitter (the
 * default) each delay of a {@link Sequence} is moved by up to ±25 % at random (never past
 * {@code max}), so that many workers failing together do not retry together.
 */
public final class Backoff {
  private static final double JITTER = 0.25;

  private final long initialMillis;
  private final long maxMillis;
  private final boolean jitter;

  private Backoff(long initialMillis, long maxMillis, boolean jitter) {
    this.initialMillis = initialMillis;
    this.maxMillis = maxMillis;
    this.jitter = jitter;
  }

  /**
   * Doubles from {@code initial} up to {@code max}, with ±25 % jitter.
   *
   * @throws IllegalArgumentException if a delay is not positive or {@code initial > max}
   */
  public static Backoff exponential(Duration initial, Duration max) {
    long i = Options.positive(initial, "initial").toMillis();
    long m = Options.positive(max, "max").toMillis();
    if (initial.compareTo(max) > 0) {
      throw new IllegalArgumentException("backoff initial " + initial + " > max " + max);
    }
    return new Backoff(Math.max(1, i), Math.max(1, m), true);
  }

  /** The same delay every time, without jitter. */
  public static Backoff fixed(Duration delay) {
    long d = Math.max(1, Options.positive(delay, "delay").toMillis());
    return new Backoff(d, d, false);
  }

  /** This backoff without jitter: every sequence gives exactly {@link #delay(int)}. */
  public Backoff withoutJitter() {
    return new Backoff(initialMillis, maxMillis, false);
  }

  public Duration initial() {
    return Duration.ofMillis(initialMillis);
  }

  public Duration max() {
    return Duration.ofMillis(maxMillis);
  }

  public boolean hasJitter() {
    return jitter;
  }

  /** The delay before attempt {@code attempt + 1} after {@code attempt} failures (1 = first), without jitter. */
  public Duration delay(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
    }
    long d = initialMillis;
    for (int i = 1; i < attempt && d < maxMillis; i++) {
      d = Math.min(maxMillis, d * 2);
    }
    return Duration.ofMillis(d);
  }

  /** A new sequence of delays, starting at {@link #initial()}. */
  public Sequence start() {
    return new Sequence();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Backoff b && b.initialMillis == initialMillis && b.maxMillis == maxMillis
        && b.jitter == jitter;
  }

  @Override
  public int hashCode() {
    return Objects.hash(initialMillis, maxMillis, jitter);
  }

  @Override
  public String toString() {
    return initialMillis == maxMillis && !jitter ? "fixed " + initialMillis + " ms"
        : initialMillis + " ms doubling to " + maxMillis + " ms" + (jitter ? " (±25 % jitter)" : "");
  }

  /** The delays of one loop: each {@link #next()} doubles, up to the cap. Not thread-safe. */
  public final class Sequence {
    private long nextMillis = initialMillis;

    private Sequence() {}

    /** The delay to wait now; the following one doubles, up to the cap. */
    public Duration next() {
      long base = nextMillis;
      nextMillis = Math.min(maxMillis, nextMillis * 2);
      if (!jitter) {
        return Duration.ofMillis(base);
      }
      long shift = (long) (base * JITTER * (ThreadLocalRandom.current().nextDouble() * 2 - 1));
      return Duration.ofMillis(Math.max(1, Math.min(maxMillis, base + shift)));
    }

    /** Back to the initial delay (after a success). */
    public void reset() {
      nextMillis = initialMillis;
    }

    /** Whether the delays have reached the cap: the next one is {@link #max()}, give or take jitter. */
    public boolean atMax() {
      return nextMillis >= maxMillis;
    }

    /** Whether the next delay is the initial one. */
    public boolean isReset() {
      return nextMillis == initialMillis;
    }
  }
}
