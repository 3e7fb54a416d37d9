package io.polyworker.spring.autoconfigure;

import io.polyworker.ProcessClient;
import io.polyworker.engine.Engine;
import io.polyworker.spring.JobWorkerCustomizer;
import io.polyworker.spring.PolyworkerProperties;
import io.polyworker.spring.internal.EngineReachability;
import io.polyworker.spring.internal.HandlerRegistrations;
import io.polyworker.spring.internal.WorkerAssembly;
import io.polyworker.spring.internal.WorkerLifecycle;
import io.polyworker.worker.JobWorker;
import io.polyworker.worker.WorkerPlugin;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The starter's beans, each replaced by a bean of the same type of your own:
 * <ul>
 *   <li>{@link Engine}: made from {@code polyworker.*} as {@code Engines.fromConfig} would, closed with the context;</li>
 *   <li>{@link ProcessClient}: the engine's (with tracing, one that writes the trace context into processes);</li>
 *   <li>{@link JobWorker}: every {@code @JobSubscription} method and {@code JobHandler} bean, with
 *       the worker and subscription properties, every {@link WorkerPlugin} bean (the Micrometer and
 *       OpenTelemetry bindings are such beans) and every {@link JobWorkerCustomizer}; absent when there
 *       is no handler;</li>
 *   <li>its lifecycle: started with the context, drained on shutdown.</li>
 * </ul>
 */
@AutoConfiguration
@EnableConfigurationProperties(PolyworkerProperties.class)
public class PolyworkerAutoConfiguration {

  /** The engine the properties describe. */
  @Bean
  @ConditionalOnMissingBean
  public Engine polyworkerEngine(PolyworkerProperties properties) {
    return WorkerAssembly.engine(properties);
  }

  /** The engine's process client, as the decorators wrap it (tracing). */
  @Bean
  @ConditionalOnMissingBean
  public ProcessClient polyworkerProcessClient(Engine engine,
      ObjectProvider<WorkerAssembly.ProcessClientDecorator> decorators) {
    ProcessClient client = engine.processClient();
    for (WorkerAssembly.ProcessClientDecorator d : decorators.orderedStream().toList()) {
      client = d.decorate(client);
    }
    return client;
  }

  /** What the worker's events say about the engine's reachability; read by the health indicator. */
  @Bean
  @ConditionalOnMissingBean
  public EngineReachability polyworkerEngineReachability() {
    return new EngineReachability(Clock.systemUTC());
  }

  /** The worker (not started: the lifecycle starts it), or none without handlers. */
  @Bean
  @ConditionalOnMissingBean
  public @Nullable JobWorker polyworkerJobWorker(Engine engine, PolyworkerProperties properties,
      Environment environment, ConfigurableListableBeanFactory beans, EngineReachability reachability,
      ObjectProvider<WorkerPlugin> plugins, ObjectProvider<JobWorkerCustomizer> customizers) {
    List<WorkerPlugin> all = new ArrayList<>();
    all.add(reachability);
    all.addAll(plugins.orderedStream().toList());
    return WorkerAssembly.worker(engine, properties, environment, HandlerRegistrations.find(beans, environment),
        all, customizers.orderedStream().toList());
  }

  /** Starts the worker with the context and drains it on shutdown. */
  @Bean
  public @Nullable WorkerLifecycle polyworkerWorkerLifecycle(ObjectProvider<JobWorker> worker,
      PolyworkerProperties properties) {
    JobWorker w = worker.getIfAvailable();
    return w == null ? null : new WorkerLifecycle(w, properties.getWorker().isAutoStartup(),
        properties.getWorker().getDrainTimeout());
  }
}
