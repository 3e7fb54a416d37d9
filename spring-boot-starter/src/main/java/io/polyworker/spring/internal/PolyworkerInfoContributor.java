package io.polyworker.spring.internal;

import io.polyworker.spring.PolyworkerEngines;
import io.polyworker.worker.JobWorker;
import io.polyworker.worker.SubscriptionState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/**
 * The {@code polyworker} info entry: the engine id (with several engines, {@code engines}: every id),
 * Polyworker version, worker id, and each subscription's handler and slots (with several engines,
 * the slots per engine under {@code engines.<id>}).
 */
public final class PolyworkerInfoContributor implements InfoContributor {

  private final PolyworkerEngines engines;
  private final ObjectProvider<JobWorker> worker;

  public PolyworkerInfoContributor(PolyworkerEngines engines, ObjectProvider<JobWorker> worker) {
    this.engines = engines;
    this.worker = worker;
  }

  @Override
  public void contribute(Info.Builder builder) {
    List<String> ids = engines.ids();
    boolean one = ids.size() == 1;
    Map<String, Object> m = new LinkedHashMap<>();
    if (one) {
      m.put("engine", ids.get(0));
    } else {
      m.put("engines", ids);
    }
    String version = JobWorker.class.getPackage().getImplementationVersion();
    m.put("version", version == null ? "unknown" : version);
    JobWorker w = worker.getIfAvailable();
    if (w != null) {
      m.put("workerId", w.workerId());
      Map<String, Map<String, Object>> subs = new LinkedHashMap<>();
      for (SubscriptionState s : w.subscriptions()) {
        if (one) {
          Map<String, Object> sub = new LinkedHashMap<>();
          sub.put("maxConcurrentJobs", s.slotLimit());
          sub.put("handler", w.handlers().getOrDefault(s.topic(), "unknown"));
          subs.put(s.topic(), sub);
        } else {
          Map<String, Object> sub = subs.computeIfAbsent(s.topic(), t -> {
            Map<String, Object> created = new LinkedHashMap<>();
            created.put("handler", w.handlers().getOrDefault(t, "unknown"));
            created.put("engines", new LinkedHashMap<String, Object>());
            return created;
          });
          @SuppressWarnings("unchecked")
          Map<String, Object> perEngine = (Map<String, Object>) sub.get("engines");
          perEngine.put(s.engine(), Map.of("maxConcurrentJobs", s.slotLimit()));
        }
      }
      m.put("subscriptions", subs);
    }
    builder.withDetail("polyworker", m);
  }
}
