package io.polyworker.spring.internal;

import io.polyworker.spring.PolyworkerEngines;
import io.polyworker.worker.JobWorker;
import io.polyworker.worker.SubscriptionState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the engine connections and the worker. With one engine, details: engine, worker id,
 * running, and per subscription its slots, waiting jobs and open fetches. With several engines
 * ({@code polyworker.engines}), the same per engine under {@code engines.<id>}. DOWN when the worker
 * is not running, or when the fetches on any engine have failed without a success for the threshold
 * (the reason names the engine and its last error): a migration needs every engine. Without a worker
 * (no handlers) the indicator is UP with the engines alone: there is nothing to run. Calling it costs
 * no engine request.
 */
public final class PolyworkerHealthIndicator implements HealthIndicator {

  private final PolyworkerEngines engines;
  private final ObjectProvider<JobWorker> worker;
  private final EngineReachability reachability;
  private final Duration downAfter;
  private final Clock clock = Clock.systemUTC();

  public PolyworkerHealthIndicator(PolyworkerEngines engines, ObjectProvider<JobWorker> worker,
      EngineReachability reachability, Duration downAfter) {
    this.engines = engines;
    this.worker = worker;
    this.reachability = reachability;
    this.downAfter = downAfter;
  }

  @Override
  public Health health() {
    List<String> ids = engines.ids();
    boolean one = ids.size() == 1;
    JobWorker w = worker.getIfAvailable();
    Health.Builder b = one ? Health.up().withDetail("engine", ids.get(0)) : Health.up();
    if (w == null) {
      if (!one) {
        b.withDetail("engines", ids);
      }
      return b.withDetail("worker", "none: no handler is subscribed").build();
    }
    b.withDetail("workerId", w.workerId()).withDetail("running", w.isRunning());
    Instant now = clock.instant();
    List<String> down = new ArrayList<>();
    Map<String, Map<String, Object>> perEngine = new LinkedHashMap<>();
    for (String id : ids) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("subscriptions", subscriptions(w.subscriptions(), one ? null : id));
      EngineReachability.State s = reachability.state(id);
      if (s.failingSince() != null) {
        d.put("fetchesFailingSince", s.failingSince().toString());
        d.put("lastError", String.valueOf(s.lastError()));
      }
      if (s.downFor(downAfter, now)) {
        down.add("engine " + id + " has not answered a fetch for "
            + Duration.between(s.failingSince(), now).toSeconds() + " s (polyworker.health.down-after = "
            + downAfter + "): " + s.lastError());
      }
      perEngine.put(id, d);
    }
    if (one) {
      b.withDetails(perEngine.get(ids.get(0)));
    } else {
      b.withDetail("engines", perEngine);
    }
    if (!w.isRunning()) {
      return b.down().withDetail("reason", "the job worker is not running").build();
    }
    if (!down.isEmpty()) {
      return b.down().withDetail("reason", String.join("; ", down)).build();
    }
    return b.build();
  }

  /** The subscriptions on one engine, or all of them when {@code engine} is null. */
  private static Map<String, Object> subscriptions(List<SubscriptionState> states, @Nullable String engine) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (SubscriptionState s : states) {
      if (engine != null && !engine.equalsIgnoreCase(s.engine())) {
        continue;
      }
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("slotLimit", s.slotLimit());
      d.put("jobsHeld", s.jobsHeld());
      d.put("jobsWaiting", s.jobsWaiting());
      d.put("fetchesOpen", s.fetchesOpen());
      m.put(s.topic(), d);
    }
    return m;
  }
}
