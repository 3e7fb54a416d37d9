package io.polyworker.benchmarks;

import io.polyworker.engine.Engine;
import io.polyworker.spring.JobWorkerCustomizer;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * Polyworker through the Spring Boot starter: a non-web context of {@link StarterApp} whose one
 * handler is the bean method {@code @JobSubscription(topic = "${bench.topic}") void work(Job job)},
 * with every worker and subscription option at the starter's defaults (the builder's, but for the
 * drain timeout, 25 s against 30 s, which only bounds close()). The engine is this target's,
 * registered as a singleton before the refresh (the starter's own {@code Engine} bean backs off); the
 * probe counts through a {@link JobWorkerCustomizer} bean that adds the listener the plain client
 * uses. Per job, what differs from the plain client is the annotated path: the starter's reflective
 * call of the method (binding the {@code Job} parameter, turning {@code void} into a completion) and
 * its engine-reachability listener.
 *
 * <p>The context is refreshed in {@link #prepare}, before the clock starts, with the worker's
 * auto-startup off (the handler scan and the worker's assembly happen there), and the JVM is let
 * finish the compiling the refresh leaves behind ({@link Meter#awaitQuiet}, up to 5 s; on two shared
 * cores it would slow the engine). {@link Opening#open()} then calls {@code context.start()}, which
 * runs the starter's lifecycle bean, that is {@code JobWorker.start()}. So the throughput and idle
 * figures compare the paths jobs take; the context's start-up is what {@link StarterStartup}
 * measures. The context's {@code close()} is the client's close (it drains the worker); then the
 * engine is closed.
 */
final class AnnotatedClient implements Client {
  /** The longest wait for the JIT to finish with the refresh before the clock starts. */
  private static final Duration QUIET_MAX = Duration.ofSeconds(5);

  private final Supplier<Engine> engines;

  AnnotatedClient(Supplier<Engine> engines) {
    this.engines = engines;
  }

  @Override
  public Kind kind() {
    return Kind.ANNOTATED;
  }

  @Override
  public String label() {
    return "Polyworker 0.1.0-SNAPSHOT through the Spring Boot starter (@JobSubscription method)";
  }

  @Override
  public String fetchCounting() {
    return "WorkerListener FETCHED + POLL_EMPTY + POLL_ERROR events (added by a JobWorkerCustomizer)";
  }

  @Override
  public Running open(String topic, Variant variant, Probe probe) throws Exception {
    return prepare(topic, variant, probe).open();
  }

  @Override
  public Opening prepare(String topic, Variant variant, Probe probe) throws InterruptedException {
    Engine engine = engines.get();
    ConfigurableApplicationContext context;
    try {
      context = StarterApp.builder(Map.of("bench.topic", topic, "polyworker.worker.auto-startup", "false"))
          .initializers(ctx -> register((GenericApplicationContext) ctx, engine, probe, variant))
          .run();
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    try {
      Meter.awaitQuiet(QUIET_MAX);
    } catch (InterruptedException e) {
      close(context, engine);
      throw e;
    }
    return () -> {
      try {
        context.start();
      } catch (RuntimeException e) {
        close(context, engine);
        throw e;
      }
      return () -> close(context, engine);
    };
  }

  private static void register(GenericApplicationContext context, Engine engine, Probe probe, Variant variant) {
    context.getBeanFactory().registerSingleton("benchEngine", engine);
    context.registerBean("benchHandler", StarterApp.Handler.class, () -> new StarterApp.Handler(probe, variant));
    // The starter's own listeners (health's reachability, meters, spans) are plugins: a customizer's
    // listener adds to them, it does not replace them.
    context.registerBean("benchCounting", JobWorkerCustomizer.class,
        () -> builder -> builder.listener(PolyworkerClient.counting(probe)));
  }

  private static void close(ConfigurableApplicationContext context, Engine engine) {
    try {
      context.close();
    } finally {
      engine.close(); // a singleton registered from outside is not the context's to close
    }
  }
}
