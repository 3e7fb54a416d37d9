package io.polyworker.testkit;

import io.polyworker.WorkerEvent;
import io.polyworker.WorkerListener;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A worker's events with the {@link System#nanoTime()} each arrived at, for contracts that measure
 * time between events (a failure and the next start) or ask about one job. Thread-safe.
 */
final class TimedEvents implements WorkerListener {
  /** An event and when it arrived. */
  record Timed(long nanos, WorkerEvent event) {}

  private final List<Timed> events = new CopyOnWriteArrayList<>();

  @Override
  public void onEvent(WorkerEvent event) {
    events.add(new Timed(System.nanoTime(), event));
  }

  long count(WorkerEvent.Type type) {
    return events.stream().filter(t -> t.event().type() == type).count();
  }

  long count(WorkerEvent.Type type, String jobId) {
    return events.stream().filter(t -> t.event().type() == type && jobId.equals(t.event().jobId())).count();
  }

  /** Jobs that FETCHED events announced, summed over all fetches. */
  long fetched() {
    return events.stream().filter(t -> t.event().type() == WorkerEvent.Type.FETCHED)
        .mapToLong(t -> t.event().count()).sum();
  }

  /** The {@code n}-th (from 1) event of a type, if it came. */
  Optional<Timed> nth(WorkerEvent.Type type, int n) {
    return events.stream().filter(t -> t.event().type() == type).skip(n - 1L).findFirst();
  }

  /** The first event of a type at or after {@code fromNanos}, optionally only for one job. */
  Optional<Timed> firstAfter(WorkerEvent.Type type, long fromNanos, @Nullable String jobId) {
    return events.stream().filter(t -> t.event().type() == type && t.nanos() - fromNanos >= 0
        && (jobId == null || jobId.equals(t.event().jobId()))).findFirst();
  }

  /** The first event of a type that matches {@code which}, if it came. */
  Optional<Timed> first(WorkerEvent.Type type, Predicate<WorkerEvent> which) {
    return events.stream().filter(t -> t.event().type() == type && which.test(t.event())).findFirst();
  }

  /** Counts by type, e.g. "FETCHED=2, STARTED=1", for assertion messages. */
  String summary() {
    Map<WorkerEvent.Type, Long> counts = new TreeMap<>(events.stream()
        .collect(Collectors.groupingBy(t -> t.event().type(), Collectors.counting())));
    return counts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /** Every event as one line each, relative to {@code fromNanos} in ms, for assertion messages. */
  String timeline(long fromNanos) {
    return events.stream().map(t -> String.format(java.util.Locale.ROOT, "%+6d ms %s %s%s",
        (t.nanos() - fromNanos) / 1_000_000, t.event().type(),
        t.event().jobId() == null ? "" : "job " + t.event().jobId(),
        t.event().error() == null ? "" : " (" + shortened(t.event().error().toString()) + ")"))
        .collect(Collectors.joining("\n"));
  }

  private static String shortened(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
