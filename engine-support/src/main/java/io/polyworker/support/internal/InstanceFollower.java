package io.polyworker.support.internal;

import io.polyworker.Backoff;
import io.polyworker.PolyworkerException;
import io.polyworker.ProcessAwaitTimeoutException;
import io.polyworker.ProcessResult;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Follows a process instance to its end for engines without a native start-and-await (Camunda 7,
 * Flowable): asks the engine's history at 50 ms, doubling up to one query per second, so that short
 * instances return quickly and long ones cost little.
 */
public final class InstanceFollower {
  /** Between checks of an instance that has not ended yet. */
  static final Backoff POLL = Backoff.exponential(Duration.ofMillis(50), Duration.ofSeconds(1))
      .withoutJitter();

  /** One look at the instance: its result when it ended well, null while it runs; throws when it failed. */
  @FunctionalInterface
  public interface Check {
    @Nullable ProcessResult check();
  }

  private InstanceFollower() {}

  public static ProcessResult await(String engine, String instanceId, Duration timeout, Check check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Backoff.Sequence delays = POLL.start();
    while (true) {
      ProcessResult result = check.check();
      if (result != null) {
        return result;
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new ProcessAwaitTimeoutException(engine, instanceId, timeout);
      }
      try {
        Thread.sleep(Math.min(delays.next().toMillis(), left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PolyworkerException(engine, "startProcessAndAwait", -1, null,
            "interrupted while awaiting process instance " + instanceId, e);
      }
    }
  }
}
