package io.polyworker.spring.internal;

import io.polyworker.WorkerEvent;
import io.polyworker.WorkerListener;
import io.polyworker.worker.WorkerPlugin;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Whether the worker reaches each of its engines, learned from its own events (each names its
 * engine): any fetch that answers (with jobs or without), any push and any accepted report says yes;
 * a failed fetch starts an outage of that engine that its next answer ends. Thread-safe; costs one
 * map read per event, and a write only when the state changes.
 */
public final class EngineReachability implements WorkerListener, WorkerPlugin {

  /**
   * What is known now.
   *
   * @param failingSince when the current run of failed fetches began, or null while the engine answers
   * @param lastError the message of the last failed fetch in the current outage, or null
   */
  public record State(@Nullable Instant failingSince, @Nullable String lastError) {
    /** Whether the engine has not answered for at least {@code threshold}. */
    public boolean downFor(Duration threshold, Instant now) {
      return failingSince != null && !failingSince.plus(threshold).isAfter(now);
    }
  }

  private static final State REACHABLE = new State(null, null);

  private final Clock clock;
  private final Map<String, State> states = new ConcurrentHashMap<>();

  public EngineReachability(Clock clock) {
    this.clock = clock;
  }

  /** As a plugin: this listener, whatever listener the worker's own options set. */
  @Override
  public WorkerListener listener() {
    return this;
  }

  /** The current state of one engine (by id); reachable until a fetch on it failed. */
  public State state(String engine) {
    return states.getOrDefault(engine, REACHABLE);
  }

  @Override
  public void onEvent(WorkerEvent e) {
    switch (e.type()) {
      case POLL_ERROR -> {
        String message = e.error() == null ? "fetch failed" : e.error().getMessage();
        states.compute(e.engine(), (k, s) -> new State(
            s == null || s.failingSince() == null ? clock.instant() : s.failingSince(), message));
      }
      case FETCHED, POLL_EMPTY, PUSHED, COMPLETED, FAILED, BPMN_ERROR, TERMINATED, LOCK_EXTENDED -> {
        if (states.containsKey(e.engine())) {
          states.remove(e.engine());
        }
      }
      default -> { }
    }
  }
}
