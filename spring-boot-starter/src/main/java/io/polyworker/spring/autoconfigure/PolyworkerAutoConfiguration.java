package io.polyworker.spring.autoconfigure;

import io.polyworker.ProcessClient;
import io.polyworker.engine.Engine;
import io.polyworker.spring.JobWorkerCustomizer;
import io.polyworker.spring.PolyworkerEngines;
import io.polyworker.spring.PolyworkerProperties;
import io.polyworker.spring.internal.EngineReachability;
import io.polyworker.spring.internal.HandlerRegistrations;
import io.polyworker.spring.internal.OwnedEngines;
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
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The starter's beans, each replaced by a bean of the same type of your own:
 * <ul>
 *   <li>with {@code polyworker.engine} (one engine): {@link Engine}, made from {@code polyworker.*} as
 *       {@code Engines.fromConfig} would, closed with the context; {@link ProcessClient}, the engine's
 *       (with tracing, one that writes the trace context into processes);</li>
 *   <li>with {@code polyworker.engines} (several engines): no {@code Engine} or {@code ProcessClient}
 *       bean, the engines made as {@code Engines.allFromConfig} makes them and closed with the context;</li>
 *   <li>{@link PolyworkerEngines}: every engine by id (the one {@code Engine} bean with one engine);</li>
 *   <li>{@link JobWorker}: every {@code @JobSubscription} method and {@code JobHandler} bean, with
 *       the worker and subscription properties, every {@link WorkerPlugin} bean (the Micrometer and
 *       OpenTelemetry bindings are such beans) and every {@link JobWorkerCustomizer}, on every engine
 *       of {@code PolyworkerEngines}; absent when there is no handler;</li>
 *   <li>its lifecycle: started with the context, drained on shutdown.</li>
 * </ul>
 */
@AutoConfiguration
@EnableConfigurationProperties(PolyworkerProperties.class)
public class PolyworkerAutoConfiguration {

  /** One engine ({@code polyworker.engines} unset): the beans as they always were. */
  @Configuration(proxyBeanMethods = false)
  @Conditional(OneEngine.class)
  static class OneEngineConfiguration {
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
      return decorated(engine, decorators.orderedStream().toList());
    }

    /** The one engine by its id, with the process client bean. */
    @Bean
    @ConditionalOnMissingBean
    public PolyworkerEngines polyworkerEngines(Engine engine, ProcessClient processClient) {
      return PolyworkerEngines.of(List.of(engine), e -> processClient);
    }
  }

  /** Several engines ({@code polyworker.engines}): made together, closed together, no single engine bean. */
  @Configuration(proxyBeanMethods = false)
  @Conditional(SeveralEngines.class)
  static class SeveralEnginesConfiguration {
    /** The engines of {@code polyworker.engines}; the context closes them. */
    @Bean
    public OwnedEngines polyworkerOwnedEngines(PolyworkerProperties properties) {
      return new OwnedEngines(WorkerAssembly.engines(properties));
    }

    /** The engines by id, each process client as the decorators wrap it (tracing). */
    @Bean
    @ConditionalOnMissingBean
    public PolyworkerEngines polyworkerEngines(OwnedEngines engines,
        ObjectProvider<WorkerAssembly.ProcessClientDecorator> decorators) {
      List<WorkerAssembly.ProcessClientDecorator> all = decorators.orderedStream().toList();
      return PolyworkerEngines.of(engines.engines(), e -> decorated(e, all));
    }
  }

  private static ProcessClient decorated(Engine engine, List<WorkerAssembly.ProcessClientDecorator> decorators) {
    ProcessClient client = engine.processClient();
    for (WorkerAssembly.ProcessClientDecorator d : decorators) {
      client = d.decorate(client);
    }
    return client;
  }

  /** What the worker's events say about each engine's reachability; read by the health indicator. */
  @Bean
  @ConditionalOnMissingBean
  public EngineReachability polyworkerEngineReachability() {
    return new EngineReachability(Clock.systemUTC());
  }

  /** The worker (not started: the lifecycle starts it) on every engine, or none without handlers. */
  @Bean
  @ConditionalOnMissingBean
  public @Nullable JobWorker polyworkerJobWorker(PolyworkerEngines engines, PolyworkerProperties properties,
      Environment environment, ConfigurableListableBeanFactory beans, EngineReachability reachability,
      ObjectProvider<WorkerPlugin> plugins, ObjectProvider<JobWorkerCustomizer> customizers) {
    List<WorkerPlugin> all = new ArrayList<>();
    all.add(reachability);
    all.addAll(plugins.orderedStream().toList());
    return WorkerAssembly.worker(engines.all(), properties, environment,
        HandlerRegistrations.find(beans, environment), all, customizers.orderedStream().toList());
  }

  /** Starts the worker with the context and drains it on shutdown. */
  @Bean
  public @Nullable WorkerLifecycle polyworkerWorkerLifecycle(ObjectProvider<JobWorker> worker,
      PolyworkerProperties properties) {
    JobWorker w = worker.getIfAvailable();
    return w == null ? null : new WorkerLifecycle(w, properties.getWorker().isAutoStartup(),
        properties.getWorker().getDrainTimeout());
  }

  /** Whether {@code polyworker.engines} lists engines, in any spelling Spring Boot binds. */
  static boolean severalEngines(Environment environment) {
    return Binder.get(environment).bind("polyworker.engines", Bindable.listOf(String.class))
        .map(list -> list.stream().anyMatch(id -> id != null && !id.isBlank())).orElse(false);
  }

  static final class SeveralEngines implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return severalEngines(context.getEnvironment());
    }
  }

  static final class OneEngine implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return !severalEngines(context.getEnvironment());
    }
  }
}
