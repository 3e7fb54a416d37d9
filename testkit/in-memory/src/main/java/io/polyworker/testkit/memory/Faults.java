package io.polyworker.testkit.memory;

import static io.polyworker.testkit.memory.InMemoryEngine.ID;

import io.polyworker.PolyworkerException;
import io.polyworker.testkit.memory.InMemoryEngine.Operation;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Fault injection and call counts of an {@link InMemoryEngine}, for runtime tests: failures queued
 * per {@link Operation} (guarded by the {@link EngineState} lock), the engine-down switch, call
 * counts and the fetches in flight with their peak.
 */
final class Faults {
  private final EngineState state;
  // guarded by state.lock
  private final Map<Operation, Deque<Supplier<? extends PolyworkerException>>> faults =
      new EnumMap<>(Operation.class);

  private final Map<Operation, AtomicInteger> calls = new EnumMap<>(Operation.class);
  private final AtomicInteger fetchesInFlight = new AtomicInteger();
  private final AtomicInteger peakFetches = new AtomicInteger();
  private volatile boolean down;

  Faults(EngineState state) {
    this.state = state;
    for (Operation op : Operation.values()) {
      calls.put(op, new AtomicInteger());
      faults.put(op, new ArrayDeque<>());
    }
  }

  /** See {@link InMemoryEngine#failNext(Operation, int, Supplier)}. */
  void failNext(Operation operation, int times, Supplier<? extends PolyworkerException> error) {
    Objects.requireNonNull(error, "error");
    if (times < 0) {
      throw new IllegalArgumentException("times < 0: " + times);
    }
    state.lock.lock();
    try {
      for (int i = 0; i < times; i++) {
        faults.get(operation).add(error);
      }
    } finally {
      state.lock.unlock();
    }
  }

  /** Counts the call and throws an injected failure or the closed state. Call before taking the lock. */
  void enter(Operation op) {
    calls.get(op).incrementAndGet();
    Supplier<? extends PolyworkerException> fault;
    state.lock.lock();
    try {
      if (state.closed) {
        throw new PolyworkerException(ID, op.operationName(), -1, null, "the engine is closed", null);
      }
      fault = faults.get(op).poll();
    } finally {
      state.lock.unlock();
    }
    if (fault != null) {
      throw fault.get();
    }
  }

  void down(boolean isDown) {
    this.down = isDown;
  }

  /** Whether fetching is switched off, as when the engine is down. */
  boolean isDown() {
    return down;
  }

  int calls(Operation operation) {
    return calls.get(operation).get();
  }

  int fetchesInFlight() {
    return fetchesInFlight.get();
  }

  int peakConcurrentFetches() {
    return peakFetches.get();
  }

  void resetCounts() {
    calls.values().forEach(c -> c.set(0));
    peakFetches.set(fetchesInFlight.get());
  }

  /** A fetch starts: it is in flight, and perhaps a new peak. */
  void fetchStarted() {
    peakFetches.accumulateAndGet(fetchesInFlight.incrementAndGet(), Math::max);
  }

  /** A fetch is answered (once per fetch). */
  void fetchEnded() {
    fetchesInFlight.decrementAndGet();
  }
}
