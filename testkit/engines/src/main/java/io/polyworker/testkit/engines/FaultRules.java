package io.polyworker.testkit.engines;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The faults a {@link FaultProxy} applies to the bytes it forwards, as its connections' pumps read
 * them: latency, the stall and reset-after byte rules, and the marker rules and counters, which look
 * for text in worker-to-engine chunks (meant for HTTP/1.1 request lines). Thread-safe.
 */
final class FaultRules {
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private final List<MarkerRule> markerRules = new CopyOnWriteArrayList<>();
  private volatile long latencyNanos;
  /** Stall / reset-after rules: a generation number so that open connections pick up a new rule once. */
  private volatile ByteRule stallRule = ByteRule.NONE;
  private volatile ByteRule resetRule = ByteRule.NONE;

  void latency(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("latency < 0: " + delay);
    }
    latencyNanos = delay.toNanos();
  }

  void stallResponsesAfter(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes < 0: " + bytes);
    }
    stallRule = stallRule.next(bytes);
  }

  void resetRequestsAfter(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes < 0: " + bytes);
    }
    resetRule = resetRule.next(bytes);
  }

  /** A rule for the next {@code times} chunks containing {@code marker}; see {@link MarkerRule}. */
  void addMarkerRule(String marker, int times, boolean afterForwarding) {
    markerRules.add(new MarkerRule(marker, times, afterForwarding));
  }

  /** Ends every rule; counters are kept. */
  void clear() {
    markerRules.clear();
    latencyNanos = 0;
    stallRule = stallRule.next(-1);
    resetRule = resetRule.next(-1);
  }

  void count(String marker) {
    requireMarker(marker);
    counters.computeIfAbsent(marker, m -> new AtomicLong());
  }

  long counted(String marker) {
    AtomicLong c = counters.get(marker);
    return c == null ? 0 : c.get();
  }

  ByteRule stallRule() {
    return stallRule;
  }

  ByteRule resetRule() {
    return resetRule;
  }

  /** Waits for the latency in effect, if any. */
  void pause() throws InterruptedException {
    long nanos = latencyNanos;
    if (nanos > 0) {
      TimeUnit.NANOSECONDS.sleep(nanos);
    }
  }

  private static void requireMarker(String marker) {
    if (marker == null || marker.isEmpty()) {
      throw new IllegalArgumentException("marker is empty");
    }
  }

  /** A byte-count rule; {@code bytes < 0} means none. Each call makes a new generation. */
  record ByteRule(long generation, long bytes) {
    static final ByteRule NONE = new ByteRule(0, -1);

    ByteRule next(long newBytes) {
      return new ByteRule(generation + 1, newBytes);
    }
  }

  /**
   * Resets the connection at the next {@code times} worker-to-engine chunks containing the marker:
   * instead of forwarding the chunk, or ({@code afterForwarding}) when the engine starts to answer.
   */
  static final class MarkerRule {
    final String marker;
    final AtomicInteger remaining;
    final boolean afterForwarding;

    MarkerRule(String marker, int times, boolean afterForwarding) {
      requireMarker(marker);
      if (times < 1) {
        throw new IllegalArgumentException("times < 1: " + times);
      }
      this.marker = marker;
      this.remaining = new AtomicInteger(times);
      this.afterForwarding = afterForwarding;
    }

    boolean take() {
      return remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }
  }

  /**
   * Finds markers in one connection's worker-to-engine chunks, keeping the last bytes of each chunk
   * so that markers split across two chunks are still found. Used by one pump thread only.
   */
  final class Scanner {
    /** Carry-over of the last bytes upwards. */
    private String carry = "";

    /** Counts markers in this chunk and returns the first marker rule it triggers, if any. */
    MarkerRule scan(byte[] buffer, int n) {
      if (counters.isEmpty() && markerRules.isEmpty()) {
        return null;
      }
      String previous = carry;
      String window = previous + new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
      int longest = 1;
      for (String marker : counters.keySet()) {
        longest = Math.max(longest, marker.length());
        if (occursInNewBytes(window, marker, previous.length())) {
          counters.get(marker).incrementAndGet();
        }
      }
      MarkerRule triggered = null;
      for (MarkerRule rule : markerRules) {
        longest = Math.max(longest, rule.marker.length());
        if (triggered == null && occursInNewBytes(window, rule.marker, previous.length()) && rule.take()) {
          triggered = rule;
        }
      }
      carry = window.substring(Math.max(0, window.length() - (longest - 1)));
      return triggered;
    }
  }

  /** Whether {@code marker} occurs in {@code window} ending after the first {@code oldLength} characters. */
  private static boolean occursInNewBytes(String window, String marker, int oldLength) {
    int from = Math.max(0, oldLength - marker.length() + 1);
    return window.indexOf(marker, from) >= 0;
  }
}
