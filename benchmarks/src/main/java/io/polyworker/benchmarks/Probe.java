package io.polyworker.benchmarks;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one open client reports while it runs: handler starts (by process instance, for latency),
 * completions the engine accepted, and fetch requests sent. Every client under test calls the same
 * three methods from its own handler or loop; all of them are cheap and thread-safe.
 */
final class Probe {
  private final int target;
  private final boolean recordStarts;
  private final AtomicInteger completed = new AtomicInteger();
  private final AtomicLong fetches = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong answeredFetches = new AtomicLong();
  private final AtomicLong fetchedJobs = new AtomicLong();
  private final AtomicLong fetchNanos = new AtomicLong();
  private final CountDownLatch done;
  private final Map<String, Long> starts = new ConcurrentHashMap<>();
  private volatile long lastCompletionNanos;

  /**
   * @param target completions after which {@link #awaitTarget} returns
   * @param recordStarts whether to remember when each process instance's handler started
   */
  Probe(int target, boolean recordStarts) {
    this.target = target;
    this.recordStarts = recordStarts;
    this.done = new CountDownLatch(1);
  }

  /** A handler started on a job of this process instance. */
  void started(String processInstanceId) {
    if (recordStarts) {
      starts.putIfAbsent(processInstanceId, System.nanoTime());
    }
  }

  /** The engine accepted a completion. */
  void completed() {
    long now = System.nanoTime();
    int n = completed.incrementAndGet();
    if (n <= target) {
      lastCompletionNanos = now;
    }
    if (n == target) {
      done.countDown();
    }
  }

  /** One fetch (fetch-and-lock, acquire, activate) request was sent. */
  void fetched() {
    fetches.incrementAndGet();
  }

  /** A request counted by {@link #fetched()} was not a fetch (for clients that can only count all requests). */
  void notAFetch() {
    fetches.decrementAndGet();
  }

  /** A fetch answered with {@code jobs} jobs after {@code nanos} (where the client tells). */
  void answered(int jobs, long nanos) {
    answeredFetches.incrementAndGet();
    fetchedJobs.addAndGet(jobs);
    fetchNanos.addAndGet(nanos);
  }

  /** Jobs per answered fetch, or NaN where the client does not tell. */
  double jobsPerFetch() {
    long n = answeredFetches.get();
    return n == 0 ? Double.NaN : fetchedJobs.get() / (double) n;
  }

  /** Mean fetch round trip in ms, or NaN where the client does not tell. */
  double fetchMillis() {
    long n = answeredFetches.get();
    return n == 0 ? Double.NaN : fetchNanos.get() / 1e6 / n;
  }

  /** A request of the client failed (reported, not fatal). */
  void error() {
    errors.incrementAndGet();
  }

  boolean awaitTarget(Duration timeout) throws InterruptedException {
    return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  int completedCount() {
    return completed.get();
  }

  long fetchCount() {
    return fetches.get();
  }

  long errorCount() {
    return errors.get();
  }

  long lastCompletionNanos() {
    return lastCompletionNanos;
  }

  /** When the handler for this process instance started, or null. */
  Long startOf(String processInstanceId) {
    return starts.get(processInstanceId);
  }
}
