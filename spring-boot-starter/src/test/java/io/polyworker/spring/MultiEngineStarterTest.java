package io.polyworker.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyworker.DeploymentResource;
import io.polyworker.Job;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessResult;
import io.polyworker.StartProcess;
import io.polyworker.WorkerEvent;
import io.polyworker.engine.Engine;
import io.polyworker.spring.autoconfigure.PolyworkerAutoConfiguration;
import io.polyworker.spring.internal.EngineReachability;
import io.polyworker.spring.internal.PolyworkerHealthIndicator;
import io.polyworker.spring.internal.PolyworkerInfoContributor;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.testkit.engines.LocalZeebe;
import io.polyworker.worker.JobWorker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * One application on two real engines at once ({@code polyworker.engines=camunda,zeebe}), as during
 * a migration: one annotated handler completes instances on both; and what a multi-engine
 * configuration refuses at start-up.
 */
class MultiEngineStarterTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @JobSubscription(topic = "migrate-${test.run}")
    Map<String, Object> handle(Job job) {
      return Map.of("handledBy", job.engine());
    }
  }

  static class Handler {
    @JobSubscription(topic = "t")
    void handle(Job job) {}
  }

  static class OldEngineOnly {
    @JobSubscription(topic = "old", engines = "camunda")
    void handle(Job job) {}
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(PolyworkerAutoConfiguration.class))
      .withPropertyValues("polyworker.worker.auto-startup=false");

  @Test
  void oneHandlerCompletesInstancesOnBothEngines() {
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> properties = new HashMap<>();
    properties.put("polyworker.engines", "camunda,zeebe");
    properties.put("polyworker.camunda.url", LocalCamunda.shared().restUrl());
    properties.put("polyworker.zeebe.url", LocalZeebe.shared().grpcUri().toString());
    properties.put("test.run", run);
    TestProcess process = TestProcess.named("migrate_" + run.replace('-', '_')).task("work", "migrate-" + run);
    try (ConfigurableApplicationContext ctx = StarterContract.start(App.class, properties)) {
      PolyworkerEngines engines = ctx.getBean(PolyworkerEngines.class);
      assertThat(engines.ids()).containsExactly("camunda", "zeebe");
      assertThat(ctx.getBeanNamesForType(Engine.class)).as("no single Engine bean").isEmpty();
      assertThat(ctx.getBeanNamesForType(ProcessClient.class)).as("no single ProcessClient bean").isEmpty();
      assertThat(ctx.getBean(JobWorker.class).isRunning()).isTrue();

      Map<String, Dialect> dialects = Map.of("camunda", Dialect.CAMUNDA, "zeebe", Dialect.ZEEBE);
      for (String id : engines.ids()) {
        ProcessClient client = engines.processClient(id);
        client.deploy(DeploymentResource.of(process.resourceName(), process.toXml(dialects.get(id))));
        ProcessResult done = client.startProcessAndAwait(StartProcess.of(process.id())
            .withVariables(Map.of("order", id + "-1")), Duration.ofSeconds(30));
        assertThat(done.variables()).as(id).containsEntry("handledBy", id).containsEntry("order", id + "-1");
      }

      // Health and info cover each engine.
      PolyworkerHealthIndicator indicator = ctx.getBean(PolyworkerHealthIndicator.class);
      Health health = indicator.health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails().get("engines")).asInstanceOf(InstanceOfAssertFactories.MAP)
          .containsOnlyKeys("camunda", "zeebe")
          .allSatisfy((id, d) -> assertThat(d.toString()).contains("migrate-" + run + "={slotLimit=32"));
      EngineReachability zeebeDown = new EngineReachability(Clock.systemUTC());
      zeebeDown.onEvent(new WorkerEvent(WorkerEvent.Type.POLL_ERROR, "zeebe", "w", "migrate-" + run, null,
          Duration.ZERO, Duration.ZERO, 0, new IllegalStateException("unavailable")));
      Health down = new PolyworkerHealthIndicator(engines, ctx.getBeanProvider(JobWorker.class), zeebeDown,
          Duration.ZERO).health();
      assertThat(down.getStatus()).isEqualTo(Status.DOWN);
      assertThat(down.getDetails().get("reason").toString()).startsWith("engine zeebe has not answered a fetch")
          .doesNotContain("camunda");
      Info.Builder info = new Info.Builder();
      ctx.getBean(PolyworkerInfoContributor.class).contribute(info);
      assertThat(info.build().getDetails().get("polyworker").toString())
          .contains("engines=[camunda, zeebe]")
          .contains("engines={camunda={maxConcurrentJobs=32}, zeebe={maxConcurrentJobs=32}}");
    }
  }

  @Test
  void aListedEngineWithoutItsUrlFailsTheStartNamingThePerEngineKey() {
    runner.withBean(Handler.class)
        .withPropertyValues("polyworker.engines=camunda,zeebe",
            "polyworker.camunda.url=http://127.0.0.1:9/engine-rest")
        .run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
            .hasMessageContaining("engine 'zeebe' of polyworker.engines")
            .hasMessageContaining("polyworker.zeebe.url").hasMessageContaining("POLYWORKER_ZEEBE_URL")
            .hasMessageNotContaining("polyworker.url "));
  }

  @Test
  void engineAndEnginesTogetherFailTheStartNamingTheProperty() {
    runner.withPropertyValues("polyworker.engine=camunda", "polyworker.engines=camunda,zeebe",
            "polyworker.camunda.url=http://127.0.0.1:9/engine-rest", "polyworker.zeebe.url=http://127.0.0.1:9")
        .run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
            .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                e -> assertThat(e.getName()).isEqualTo("polyworker.engine"))
            .hasMessageContaining("remove polyworker.engine"));
    runner.withPropertyValues("polyworker.engines=camunda,zeebe,camunda",
            "polyworker.camunda.url=http://127.0.0.1:9/engine-rest", "polyworker.zeebe.url=http://127.0.0.1:9")
        .run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
            .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                e -> assertThat(e.getName()).isEqualTo("polyworker.engines"))
            .hasMessageContaining("'camunda' twice"));
  }

  @Test
  void environmentVariablesSelectTheEnginesAndEachEnginesKeys() {
    Map<String, Object> env = Map.of("POLYWORKER_ENGINES", "camunda,zeebe",
        "POLYWORKER_CAMUNDA_URL", "http://127.0.0.1:9/engine-rest",
        "POLYWORKER_CAMUNDA_USERNAME", "demo", "POLYWORKER_CAMUNDA_PASSWORD", "pw",
        "POLYWORKER_ZEEBE_URL", "http://127.0.0.1:9",
        "POLYWORKER_SUBSCRIPTIONS_T_ENGINES", "zeebe",
        "POLYWORKER_SUBSCRIPTIONS_T_MAX_CONCURRENT_JOBS_PER_ENGINE", "3");
    runner.withBean(Handler.class).withBean(OldEngineOnly.class)
        .withInitializer(ctx -> ctx.getEnvironment().getPropertySources()
            .addFirst(new SystemEnvironmentPropertySource(
                "test-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env)))
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          PolyworkerEngines engines = ctx.getBean(PolyworkerEngines.class);
          assertThat(engines.all()).extracting(Engine::id).containsExactly("camunda", "zeebe");
          assertThat(ctx.getBeanNamesForType(Engine.class)).isEmpty();
          JobWorker worker = ctx.getBean(JobWorker.class);
          assertThat(worker.handlers()).containsOnlyKeys("t", "old");
          // "t" on zeebe only (property), at most 3 jobs there; "old" on camunda only (annotation).
          assertThat(worker.subscriptions()).extracting(st -> st.engine() + "/" + st.topic() + "/" + st.slotLimit())
              .containsExactlyInAnyOrder("zeebe/t/3", "camunda/old/32");
          assertThatThrownBy(() -> engines.get("flowable")).isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("camunda, zeebe");
          assertThat(ctx.getBean(PolyworkerProperties.class).getCamunda().getUsername()).isEqualTo("demo");
        });
  }

  @Test
  void aSubscriptionNamingAnEngineThatIsNotListedFailsTheStartNamingTheProperty() {
    runner.withBean(Handler.class)
        .withPropertyValues("polyworker.engines=camunda,zeebe", "polyworker.camunda.url=http://127.0.0.1:9/engine-rest",
            "polyworker.zeebe.url=http://127.0.0.1:9", "polyworker.subscriptions.t.engines=flowable")
        .run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
            .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                e -> assertThat(e.getName()).isEqualTo("polyworker.subscriptions.t.engines"))
            .hasMessageContaining("'flowable'").hasMessageContaining("[camunda, zeebe]"));
  }

  @Test
  void oneEngineStillHasItsEngineAndProcessClientBeansAndPolyworkerEnginesWithOneEntry() {
    runner.withPropertyValues("polyworker.engine=camunda", "polyworker.url=http://127.0.0.1:9/engine-rest")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          PolyworkerEngines engines = ctx.getBean(PolyworkerEngines.class);
          assertThat(engines.all()).containsExactly(ctx.getBean(Engine.class));
          assertThat(engines.processClient("camunda")).isSameAs(ctx.getBean(ProcessClient.class));
        });
  }

  @Test
  void toStringHidesPerEngineSecrets() {
    PolyworkerProperties p = new PolyworkerProperties();
    p.getCamunda().setUrl("https://user:pw1@camunda.example/engine-rest");
    p.getCamunda().setPassword("pw2");
    p.getFlowable().setToken("tok3");
    p.getZeebe().getOauth().setClientSecret("sec4");
    p.getZeebe().getOauth().setClientId("worker");
    assertThat(p.toString()).doesNotContain("pw1", "pw2", "tok3", "sec4").contains("****").contains("worker");
  }

  @Test
  void theConfigurationMetadataDescribesTheMultiEngineProperties() throws IOException {
    String metadata;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (String key : new String[] {"polyworker.engines", "polyworker.camunda.url", "polyworker.camunda.password",
        "polyworker.flowable.url", "polyworker.zeebe.url", "polyworker.zeebe.oauth.client-id",
        "polyworker.camunda.oauth.client-secret"}) {
      int at = metadata.indexOf("\"name\": \"" + key + "\"");
      assertThat(at).as(key).isNotNegative();
      int end = metadata.indexOf('}', at);
      assertThat(metadata.substring(at, end)).as(key).contains("\"description\"");
    }
  }
}
