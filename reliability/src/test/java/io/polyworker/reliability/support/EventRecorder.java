package io.polyworker.reliability.support;

import io.polyworker.WorkerEvent;
import io.polyworker.WorkerListener;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** Records every event of one or more workers with the time it arrived, for counting and rates. */
public final class EventRecorder implements WorkerListener {
  /** An event and {@link System#nanoTime()} when it arrived. */
  public record Timed(long nanos, WorkerEvent event) {}

  private final ConcurrentLinkedQueue<Timed> events = new ConcurrentLinkedQueue<>();
  private final Map<WorkerEvent.Type, AtomicLong> counts = new EnumMap<>(WorkerEvent.Type.class);

  public EventRecorder() {
    for (WorkerEvent.Type t : WorkerEvent.Type.values()) {
      counts.put(t, new AtomicLong());
    }
  }

  @Override
  public void onEvent(WorkerEvent event) {
    events.add(new Timed(System.nanoTime(), event));
    counts.get(event.type()).incrementAndGet();
  }

  public long count(WorkerEvent.Type type) {
    return counts.get(type).get();
  }

  /** Events of a type that arrived in [fromNanos, toNanos). */
  public List<Timed> between(WorkerEvent.Type type, long fromNanos, long toNanos) {
    List<Timed> result = new ArrayList<>();
    for (Timed t : events) {
      if (t.event().type() == type && t.nanos() - fromNanos >= 0 && t.nanos() - toNanos < 0) {
        result.add(t);
      }
    }
    return result;
  }

  public List<WorkerEvent> of(WorkerEvent.Type type) {
    List<WorkerEvent> result = new ArrayList<>();
    for (Timed t : events) {
      if (t.event().type() == type) {
        result.add(t.event());
      }
    }
    return result;
  }

  /** The first event of a type at or after {@code fromNanos}, or null. */
  public Timed firstAfter(WorkerEvent.Type type, long fromNanos) {
    for (Timed t : events) {
      if (t.event().type() == type && t.nanos() - fromNanos >= 0) {
        return t;
      }
    }
    return null;
  }

  /** Counts by type, for messages. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    counts.forEach((k, v) -> {
      if (v.get() > 0) {
        sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(v.get());
      }
    });
    return sb.toString();
  }
}
