package io.polyworker.spring.autoconfigure;

import io.opentelemetry.api.OpenTelemetry;
import io.polyworker.JobHandler;
import io.polyworker.WorkerListener;
import io.polyworker.opentelemetry.JobTracing;
import io.polyworker.spring.internal.WorkerAssembly;
import io.polyworker.worker.WorkerPlugin;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.util.function.SingletonSupplier;

/**
 * OpenTelemetry spans for every job attempt, and a process client that writes the trace context into
 * the processes it starts (see polyworker-opentelemetry), when polyworker-opentelemetry is on the
 * class path and an {@link OpenTelemetry} bean exists (spring-boot-starter-opentelemetry makes one).
 * Off with {@code polyworker.tracing.enabled=false}.
 */
@AutoConfiguration(after = PolyworkerAutoConfiguration.class)
@ConditionalOnClass({JobTracing.class, OpenTelemetry.class})
@ConditionalOnProperty(prefix = "polyworker.tracing", name = "enabled", matchIfMissing = true)
public class PolyworkerTracingAutoConfiguration {

  private final Supplier<@Nullable JobTracing> tracing;

  public PolyworkerTracingAutoConfiguration(ObjectProvider<OpenTelemetry> openTelemetry) {
    this.tracing = SingletonSupplier.ofNullable(() -> {
      OpenTelemetry otel = openTelemetry.getIfAvailable();
      return otel == null ? null : JobTracing.create(otel);
    });
  }

  /** {@link JobTracing} as the worker's plugin: a span around every handler, ended at the engine's answer. */
  @Bean
  public WorkerPlugin polyworkerTracing() {
    return new WorkerPlugin() {
      @Override
      public @Nullable WorkerListener listener() {
        return tracing.get();
      }

      @Override
      public JobHandler wrap(String topic, JobHandler handler) {
        JobTracing t = tracing.get();
        return t == null ? handler : t.wrap(topic, handler);
      }
    };
  }

  /** The process client writes the current trace context into the processes it starts. */
  @Bean
  public WorkerAssembly.ProcessClientDecorator polyworkerTracingProcessClient() {
    return client -> {
      JobTracing t = tracing.get();
      return t == null ? client : t.processClient(client);
    };
  }
}
