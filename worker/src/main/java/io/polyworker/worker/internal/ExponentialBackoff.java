package io.polyworker.worker.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with ±25 % jitter, so that many workers restarting together spread out.
 * Not thread-safe: one per poller or per report.
 */
public final class ExponentialBackoff {
  private final long initialMillis;
  private final long maxMillis;
  private long nextMillis;

  public ExponentialBackoff(Duration initial, Duration max) {
    this.initialMillis = Math.max(1, initial.toMillis());
    this.maxMillis = Math.max(initialMillis, max.toMillis());
    this.nextMillis = initialMillis;
  }

  /** The delay to wait now; the following one doubles, up to the cap. */
  public Duration next() {
    long base = nextMillis;
    nextMillis = Math.min(maxMillis, nextMillis * 2);
    long jitter = (long) (base * 0.25 * (ThreadLocalRandom.current().nextDouble() * 2 - 1));
    return Duration.ofMillis(Math.max(1, Math.min(maxMillis, base + jitter)));
  }

  /** Back to the initial delay. */
  public void reset() {
    nextMillis = initialMillis;
  }

  /** Whether the next delay would be the initial one. */
  public boolean isReset() {
    return nextMillis == initialMillis;
  }
}
