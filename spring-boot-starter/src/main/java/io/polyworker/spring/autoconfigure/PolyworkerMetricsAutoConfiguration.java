package io.polyworker.spring.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.polyworker.WorkerListener;
import io.polyworker.micrometer.JobWorkerMetrics;
import io.polyworker.worker.JobWorker;
import io.polyworker.worker.WorkerPlugin;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * The worker's Micrometer meters ({@code polyworker.*}, see polyworker-micrometer) in the
 * application's {@link MeterRegistry}, when polyworker-micrometer is on the class path and a registry
 * bean exists (Spring Boot's Actuator makes one). Off with {@code polyworker.metrics.enabled=false}.
 */
@AutoConfiguration(after = PolyworkerAutoConfiguration.class)
@ConditionalOnClass({JobWorkerMetrics.class, MeterRegistry.class})
@ConditionalOnProperty(prefix = "polyworker.metrics", name = "enabled", matchIfMissing = true)
public class PolyworkerMetricsAutoConfiguration {

  /**
   * {@link JobWorkerMetrics} as the worker's plugin, made when the worker is built from whichever
   * registry the context has then (none: no meters).
   */
  @Bean
  public WorkerPlugin polyworkerMetrics(ObjectProvider<MeterRegistry> registry) {
    return new WorkerPlugin() {
      private @Nullable JobWorkerMetrics metrics;

      @Override
      public synchronized @Nullable WorkerListener listener() {
        MeterRegistry r = registry.getIfAvailable();
        metrics = r == null ? null : JobWorkerMetrics.create(r);
        return metrics;
      }

      @Override
      public synchronized void built(JobWorker worker) {
        if (metrics != null) {
          metrics.built(worker);
        }
      }
    };
  }
}
