package io.polyworker.spring.internal;

import io.polyworker.engine.Engine;
import io.polyworker.worker.JobWorker;
import io.polyworker.worker.SubscriptionState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the engine connection and the worker. Details: engine, worker id, running, and per
 * subscription its slots, waiting jobs and open fetches. DOWN when the worker is not running, or when
 * its fetches have failed without a success for the threshold (the reason is the last error). Without
 * a worker (no handlers) the indicator is UP with the engine alone: there is nothing to run.
 * Calling it costs no engine request.
 */
public final class PolyworkerHealthIndicator implements HealthIndicator {

  private final Engine engine;
  private final ObjectProvider<JobWorker> worker;
  private final EngineReachability reachability;
  private final Duration downAfter;
  private final Clock clock = Clock.systemUTC();

  public PolyworkerHealthIndicator(Engine engine, ObjectProvider<JobWorker> worker,
      EngineReachability reachability, Duration downAfter) {
    this.engine = engine;
    this.worker = worker;
    this.reachability = reachability;
    this.downAfter = downAfter;
  }

  @Override
  public Health health() {
    JobWorker w = worker.getIfAvailable();
    Health.Builder b = Health.up().withDetail("engine", engine.id());
    if (w == null) {
      return b.withDetail("worker", "none: no handler is subscribed").build();
    }
    b.withDetail("workerId", w.workerId()).withDetail("running", w.isRunning());
    b.withDetail("subscriptions", subscriptions(w.subscriptions()));
    EngineReachability.State s = reachability.state();
    Instant now = clock.instant();
    if (s.failingSince() != null) {
      b.withDetail("fetchesFailingSince", s.failingSince().toString());
      b.withDetail("lastError", String.valueOf(s.lastError()));
    }
    if (!w.isRunning()) {
      return b.down().withDetail("reason", "the job worker is not running").build();
    }
    if (s.downFor(downAfter, now)) {
      return b.down().withDetail("reason", "engine " + engine.id() + " has not answered a fetch for "
          + Duration.between(s.failingSince(), now).toSeconds() + " s (polyworker.health.down-after = "
          + downAfter + "): " + s.lastError()).build();
    }
    return b.build();
  }

  private static Map<String, Object> subscriptions(List<SubscriptionState> states) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (SubscriptionState s : states) {
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
