package io.polyworker.reliability.support;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds handlers inside their work until the test opens it, so that a fault can be set up while a
 * job is known to be in flight. Bounded: a handler waits at most {@link #MAX_WAIT}, then fails.
 */
public final class Gate {
  public static final Duration MAX_WAIT = Duration.ofSeconds(60);
  private final CountDownLatch open = new CountDownLatch(1);
  private final CountDownLatch entered = new CountDownLatch(1);

  /** Called by a handler: waits until {@link #open()}. */
  public void pass() throws InterruptedException {
    entered.countDown();
    if (!open.await(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("gate not opened within " + MAX_WAIT);
    }
  }

  /** Waits until a handler arrived at the gate; bounded. */
  public void awaitEntered() throws InterruptedException {
    if (!entered.await(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("no handler reached the gate within " + MAX_WAIT);
    }
  }

  public void open() {
    open.countDown();
  }
}
