package io.polyworker.examples.spring;

import io.polyworker.examples.OrderDemo;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.testkit.engines.LocalEngine;
import io.polyworker.testkit.engines.LocalFlowable;
import io.polyworker.testkit.engines.LocalZeebe;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts a local engine from the testkit when the configuration names no {@code polyworker.url},
 * before the application context exists, so that the starter finds {@code polyworker.engine} and
 * {@code polyworker.url} as if they had been configured. {@code polyworker.engine} (default
 * {@code camunda}) chooses Camunda 7, Flowable or Zeebe. The engine becomes a bean of the context,
 * registered once the context is prepared and created before the application's and the starter's
 * beans, so that the context, which destroys beans in the reverse order of their creation, closes it
 * last: after the worker drained and the starter's {@code Engine} closed. A start that fails before
 * the context runs closes it at once.
 */
final class LocalEngineLauncher implements ApplicationListener<SpringApplicationEvent> {

  private @Nullable LocalEngine local;

  @Override
  public void onApplicationEvent(SpringApplicationEvent event) {
    if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
      startIfNoUrl(prepared.getEnvironment());
    } else if (event instanceof ApplicationPreparedEvent prepared && local != null) {
      LocalEngine engine = local;
      // AutoCloseable: the context calls close() when it is destroyed.
      ((GenericApplicationContext) prepared.getApplicationContext())
          .registerBean("polyworkerExampleLocalEngine", LocalEngine.class, () -> engine);
    } else if (event instanceof ApplicationFailedEvent failed && local != null) {
      ConfigurableApplicationContext context = failed.getApplicationContext();
      if (context == null || !context.isActive()) {
        local.close(); // the context will not close it: it never ran or has already been torn down
      }
    }
  }

  private void startIfNoUrl(ConfigurableEnvironment environment) {
    String url = environment.getProperty("polyworker.url");
    if (url != null && !url.isBlank()) {
      return;
    }
    String engineId = environment.getProperty("polyworker.engine", "");
    engineId = engineId.isBlank() ? "camunda" : engineId.strip().toLowerCase(Locale.ROOT);
    LocalEngine engine = OrderDemo.localEngine(engineId);
    System.out.printf("No polyworker.url is set: starting a local %s engine...%n", engineId);
    long started = System.nanoTime();
    try {
      engine.start();
    } catch (RuntimeException e) {
      engine.close(); // deletes its temporary data directory
      throw e;
    }
    local = engine;
    String localUrl = url(engine);
    System.out.printf("Local %s engine at %s, up in %.1f s%n", engineId, localUrl,
        (System.nanoTime() - started) / 1e9);
    environment.getPropertySources().addFirst(new MapPropertySource("polyworker-example-local-engine",
        Map.of("polyworker.engine", engineId, "polyworker.url", localUrl)));
  }

  private static String url(LocalEngine engine) {
    if (engine instanceof LocalCamunda camunda) {
      return camunda.restUrl();
    }
    if (engine instanceof LocalFlowable flowable) {
      return flowable.baseUrl();
    }
    return ((LocalZeebe) engine).grpcUri().toString();
  }
}
