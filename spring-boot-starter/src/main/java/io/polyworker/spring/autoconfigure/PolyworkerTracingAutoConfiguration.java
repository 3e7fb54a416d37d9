package io.polyworker.spring.autoconfigure;

import io.opentelemetry.api.OpenTelemetry;
import io.polyworker.JobHandler;
import io.polyworker.ProcessClient;
import io.polyworker.WorkerListener;
import io.polyworker.opentelemetry.JobTracing;
import io.polyworker.spring.internal.WorkerAssembly;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

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

  /** Wraps every handler in a span, listens for lock and report events, wraps the process client. */
  @Bean
  public WorkerAssembly.Extension polyworkerTracing(ObjectProvider<OpenTelemetry> openTelemetry) {
    return new WorkerAssembly.Extension() {
      private @Nullable JobTracing tracing;
      private boolean looked;

      private synchronized @Nullable JobTracing tracing() {
        if (!looked) {
          OpenTelemetry otel = openTelemetry.getIfAvailable();
          tracing = otel == null ? null : JobTracing.create(otel);
          looked = true;
        }
        return tracing;
      }

      @Override
      public @Nullable WorkerListener listener() {
        return tracing();
      }

      @Override
      public JobHandler wrap(String topic, JobHandler handler) {
        JobTracing t = tracing();
        return t == null ? handler : t.handler(handler);
      }

      @Override
      public ProcessClient wrap(ProcessClient client) {
        JobTracing t = tracing();
        return t == null ? client : t.processClient(client);
      }
    };
  }
}
