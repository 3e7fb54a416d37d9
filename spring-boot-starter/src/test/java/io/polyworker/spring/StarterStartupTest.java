package io.polyworker.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyworker.Job;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.PolyworkerException;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.engine.Engine;
import io.polyworker.spring.autoconfigure.PolyworkerAutoConfiguration;
import io.polyworker.spring.internal.PolyworkerFailureAnalyzer;
import io.polyworker.worker.JobWorker;
import io.polyworker.worker.SubscriptionState;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * What the starter does before any job runs: binding, properties, overrides, and the start-up errors
 * that name their culprit. No engine is contacted (the worker is not started).
 */
class StarterStartupTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(PolyworkerAutoConfiguration.class))
      .withPropertyValues("polyworker.engine=camunda", "polyworker.url=http://127.0.0.1:9/engine-rest",
          "polyworker.worker.auto-startup=false");

  static class Good {
    @JobSubscription(topic = "good", maxConcurrentJobs = 5)
    void good(Job job) {}

    @JobSubscription(topic = "other", maxConcurrentJobs = 5)
    JobResult other(Job job) {
      return JobResult.complete();
    }

    @JobSubscription(topic = "third")
    void third(Job job) {}
  }

  @Test
  void propertiesComeFromEnvironmentVariablesAndOverrideAnnotationsPerTopic() {
    Map<String, Object> env = Map.of("POLYWORKER_ENGINE", "camunda",
        "POLYWORKER_URL", "http://127.0.0.1:9/engine-rest",
        "POLYWORKER_WORKER_ID", "env-worker",
        "POLYWORKER_WORKER_MAX_CONCURRENT_JOBS", "7",
        "POLYWORKER_SUBSCRIPTIONS_GOOD_MAX_CONCURRENT_JOBS", "3",
        "POLYWORKER_SUBSCRIPTIONS_THIRD_ENABLED", "false");
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PolyworkerAutoConfiguration.class))
        .withPropertyValues("polyworker.worker.auto-startup=false")
        .withInitializer(ctx -> ctx.getEnvironment().getPropertySources()
            .addFirst(new SystemEnvironmentPropertySource(
                "test-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env)))
        .withBean(Good.class)
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          JobWorker worker = ctx.getBean(JobWorker.class);
          assertThat(worker.workerId()).isEqualTo("env-worker");
          Map<String, Integer> slots = worker.subscriptions().stream()
              .collect(Collectors.toMap(SubscriptionState::topic, SubscriptionState::slotLimit));
          // worker default 7 < annotation 5 < per-topic property 3; "third" is switched off.
          assertThat(slots).containsExactlyInAnyOrderEntriesOf(Map.of("good", 3, "other", 5));
          assertThat(ctx.getBean(Engine.class).id()).isEqualTo("camunda");
        });
  }

  @Test
  void theUsersOwnEngineWinsAndAContextWithoutHandlersHasNoWorker() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PolyworkerAutoConfiguration.class))
        .withUserConfiguration(OwnEngine.class)
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx.getBean(Engine.class)).isSameAs(ctx.getBean(OwnEngine.class).engine);
          assertThat(ctx.getBeanProvider(JobWorker.class).getIfAvailable()).isNull();
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnEngine {
    final Engine engine = CamundaEngine.builder().baseUrl("http://127.0.0.1:9/engine-rest").build();

    @Bean
    Engine myEngine() {
      return engine;
    }
  }

  static class UnboundParameter {
    @JobSubscription(topic = "t")
    void handle(Job job, String order) {}
  }

  static class SameTopicA {
    @JobSubscription(topic = "t")
    void a(Job job) {}
  }

  static class SameTopicB {
    @JobSubscription(topic = "t")
    void b(Job job) {}
  }

  static class ScalarReturn {
    @JobSubscription(topic = "t")
    String handle(Job job) {
      return "done";
    }
  }

  static class NumberHeader {
    @JobSubscription(topic = "t")
    void handle(@Header("retries") Integer retries) {}
  }

  static class BadDuration {
    @JobSubscription(topic = "t", lockDuration = "abc")
    void handle(Job job) {}
  }

  @JobSubscription(topic = "t")
  static class NotAHandler {}

  @JobSubscription(topic = "t")
  static class TypeHandler implements JobHandler {
    @Override
    public JobResult handle(Job job) {
      return JobResult.complete();
    }
  }

  @Test
  void aParameterTheStarterCannotBindNamesBeanMethodAndParameter() {
    runner.withBean("orders", UnboundParameter.class).run(ctx -> assertThat(ctx.getStartupFailure())
        .rootCause().isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("parameter 2 (String order) of method UnboundParameter.handle(Job, String) of bean 'orders'")
        .hasMessageContaining("@Variable(\"name\")"));
  }

  @Test
  void twoHandlersForOneTopicNameBoth() {
    runner.withBean("a", SameTopicA.class).withBean("b", SameTopicB.class).run(ctx ->
        assertThat(ctx.getStartupFailure()).rootCause()
            .hasMessageContaining("topic 't' has two handlers: method SameTopicA.a(Job) of bean 'a' and "
                + "method SameTopicB.b(Job) of bean 'b'"));
  }

  @Test
  void aMethodAndAHandlerBeanForOneTopicAreTwoHandlers() {
    runner.withBean("a", SameTopicA.class).withBean("typed", TypeHandler.class).run(ctx ->
        assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("topic 't' has two handlers"));
  }

  @Test
  void returnTypesThatCannotBeVariablesAndNonStringHeadersAreRefused() {
    runner.withBean("s", ScalarReturn.class).run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
        .hasMessageContaining("the return type java.lang.String of method ScalarReturn.handle(Job) of bean 's'"));
    runner.withBean("h", NumberHeader.class).run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
        .hasMessageContaining("parameter 1 (Integer retries)").hasMessageContaining("@Header binds a String"));
  }

  @Test
  void annotationValuesAreCheckedWithTheirMethod() {
    runner.withBean("d", BadDuration.class).run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
        .hasMessageContaining("@JobSubscription on method BadDuration.handle(Job) of bean 'd': lockDuration = \"abc\" "
            + "is not a duration"));
    runner.withBean("n", NotAHandler.class).run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
        .hasMessageContaining("bean 'n'").hasMessageContaining("is not a JobHandler"));
  }

  @Test
  void aHandlerRegisteredAsAReadyInstanceIsSubscribedToo() {
    runner.withInitializer(ctx -> ctx.getBeanFactory().registerSingleton("ready", new SameTopicA()))
        .run(ctx -> assertThat(ctx.getBean(JobWorker.class).handlers()).containsOnlyKeys("t"));
  }

  @Test
  void aJobHandlerBeanAnnotatedWithItsTopicIsSubscribed() {
    runner.withBean("typed", TypeHandler.class).run(ctx -> assertThat(ctx.getBean(JobWorker.class)
        .subscriptions()).extracting(SubscriptionState::topic).containsExactly("t"));
  }

  @Test
  void badPropertiesNameTheProperty() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(PolyworkerAutoConfiguration.class))
        .run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
            .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                e -> assertThat(e.getName()).isEqualTo("polyworker.engine"))
            .hasMessageContaining("POLYWORKER_ENGINE"));
    runner.withPropertyValues("polyworker.engine=camunda7").run(ctx -> assertThat(ctx.getStartupFailure())
        .rootCause().hasMessageContaining("polyworker.engine").hasMessageContaining("did you mean 'camunda'?"));
    runner.withPropertyValues("polyworker.url=").run(ctx -> assertThat(ctx.getStartupFailure())
        .rootCause().hasMessageContaining("polyworker.url"));
    runner.withBean(Good.class).withPropertyValues("polyworker.worker.max-concurrent-jobs=0").run(ctx ->
        assertThat(ctx.getStartupFailure()).rootCause()
            .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                e -> assertThat(e.getName()).isEqualTo("polyworker.worker.max-concurrent-jobs")));
    runner.withBean(Good.class).withPropertyValues("polyworker.subscriptions.[god].max-concurrent-jobs=2").run(ctx ->
        assertThat(ctx.getStartupFailure()).rootCause()
            .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                e -> assertThat(e.getName()).isEqualTo("polyworker.subscriptions.god"))
            .hasMessageContaining("[good, other, third]"));
  }

  @Test
  void anAdaptiveLimitIsSetByPropertyAndRefusedNextToAFixedOne() {
    runner.withBean(Good.class).withPropertyValues("polyworker.subscriptions.good.adaptive-concurrency.min=3",
        "polyworker.subscriptions.good.adaptive-concurrency.max=64").run(ctx -> {
          assertThat(ctx).hasNotFailed();
          // the annotation's fixed 5 gives way to the property; the limit starts at the minimum
          assertThat(ctx.getBean(JobWorker.class).subscriptions()).filteredOn(st -> st.topic().equals("good"))
              .extracting(SubscriptionState::slotLimit).containsExactly(3);
        });
    runner.withBean(Good.class).withPropertyValues("polyworker.worker.max-concurrent-jobs=8",
        "polyworker.worker.adaptive-concurrency.max=64").run(ctx -> assertThat(ctx.getStartupFailure())
            .rootCause().isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                e -> assertThat(e.getName()).isEqualTo("polyworker.worker.adaptive-concurrency"))
            .hasMessageContaining("choose one"));
    runner.withBean(Good.class).withPropertyValues("polyworker.worker.adaptive-concurrency.min=8",
        "polyworker.worker.adaptive-concurrency.max=4").run(ctx -> assertThat(ctx.getStartupFailure())
            .rootCause().isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                e -> assertThat(e.getName()).isEqualTo("polyworker.worker.adaptive-concurrency"))
            .hasMessageContaining("max must be >= min (8), was 4"));
    runner.withBean(Good.class).withPropertyValues("polyworker.worker.adaptive-concurrency.min=8")
        .run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
            .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                e -> assertThat(e.getName()).isEqualTo("polyworker.worker.adaptive-concurrency.max")));
  }

  @Test
  void startUpErrorsAreReportedBySpringBootsFailureAnalysis() {
    assertThat(SpringFactoriesLoader.forDefaultResourceLocation().load(FailureAnalyzer.class, null,
        SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> { })))
        .hasAtLeastOneElementOfType(PolyworkerFailureAnalyzer.class);
    FailureAnalysis analysis = new PolyworkerFailureAnalyzer()
        .analyze(new IllegalStateException(new PolyworkerException("topic 't' has two handlers")));
    assertThat(analysis.getDescription()).isEqualTo("Polyworker could not start: topic 't' has two handlers");
  }

  @Test
  void toStringHidesSecrets() {
    PolyworkerProperties p = new PolyworkerProperties();
    p.setUrl("https://user:pw@camunda.example/engine-rest");
    p.setPassword("pw-secret");
    p.setToken("token-secret");
    p.getOauth().setClientSecret("client-secret");
    assertThat(p.toString()).doesNotContain("pw", "secret").contains("****");
  }

  @Test
  void workUnitsAndTopicHandlerBeansAreSubscribedByProperty() {
    runner.withConfiguration(AutoConfigurations.of(
            io.polyworker.spring.autoconfigure.PolyworkerUnitsAutoConfiguration.class))
        .withBean("charge", TopicHandler.class, () -> new TopicHandler("charge", job -> JobResult.complete()))
        .withPropertyValues("polyworker.units.http.check-stock.allow[0]=https://stock.example.com/api/",
            "polyworker.units.http.check-stock.headers.Authorization=Bearer secret-token",
            "polyworker.units.subprocess.fulfil.process-key=fulfilment",
            "polyworker.subscriptions.check-stock.max-concurrent-jobs=4")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          JobWorker worker = ctx.getBean(JobWorker.class);
          assertThat(worker.handlers()).containsOnlyKeys("charge", "check-stock", "fulfil");
          assertThat(worker.handlers().get("check-stock")).contains("https://stock.example.com:443/api/")
              .doesNotContain("secret-token");
          assertThat(worker.subscriptions()).filteredOn(st -> st.topic().equals("check-stock"))
              .extracting(SubscriptionState::slotLimit).containsExactly(4);
        });
    runner.withConfiguration(AutoConfigurations.of(
            io.polyworker.spring.autoconfigure.PolyworkerUnitsAutoConfiguration.class))
        .withPropertyValues("polyworker.units.http.check-stock.timeout=5s")
        .run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
            .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                e -> assertThat(e.getName()).isEqualTo("polyworker.units.http.check-stock"))
            .hasMessageContaining("allow"));
  }
}
