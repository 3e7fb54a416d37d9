package io.polyworker.spring.internal;

import io.polyworker.engine.Engine;
import io.polyworker.worker.JobWorker;
import io.polyworker.worker.SubscriptionState;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/** The {@code polyworker} info entry: engine id, Polyworker version, worker id, and each subscription's handler and slots. */
public final class PolyworkerInfoContributor implements InfoContributor {

  private final Engine engine;
  private final ObjectProvider<JobWorker> worker;

  public PolyworkerInfoContributor(Engine engine, ObjectProvider<JobWorker> worker) {
    this.engine = engine;
    this.worker = worker;
  }

  @Override
  public void contribute(Info.Builder builder) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("engine", engine.id());
    String version = JobWorker.class.getPackage().getImplementationVersion();
    m.put("version", version == null ? "unknown" : version);
    JobWorker w = worker.getIfAvailable();
    if (w != null) {
      m.put("workerId", w.workerId());
      Map<String, Object> subs = new LinkedHashMap<>();
      for (SubscriptionState s : w.subscriptions()) {
        Map<String, Object> sub = new LinkedHashMap<>();
        sub.put("maxConcurrentJobs", s.slotLimit());
        sub.put("handler", w.handlers().getOrDefault(s.topic(), "unknown"));
        subs.put(s.topic(), sub);
      }
      m.put("subscriptions", subs);
    }
    builder.withDetail("polyworker", m);
  }
}
