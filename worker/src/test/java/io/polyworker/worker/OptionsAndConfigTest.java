package io.polyworker.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.JobHandler;
import io.polyworker.PolyworkerException;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Options fail at build time naming the option; configuration keys and secrets. */
class OptionsAndConfigTest extends RuntimeTestSupport {
  private static final JobHandler OK = job -> JobResult.complete();

  @Test
  void negativeDurationsAreRejectedNamingTheOption() {
    assertThatThrownBy(() -> SubscriptionOptions.builder().retryBackoff(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryBackoff");
    assertThatThrownBy(() -> SubscriptionOptions.builder().longPollTimeout(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longPollTimeout");
    assertThatThrownBy(() -> SubscriptionOptions.builder().lockDuration(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lockDuration");
    assertThatThrownBy(() -> WorkerOptions.builder().drainTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("drainTimeout");
    assertThatThrownBy(() -> WorkerOptions.builder().pollErrorBackoff(Duration.ofMillis(-1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pollErrorBackoffInitial");
    assertThatThrownBy(() -> WorkerOptions.builder().reportRetryTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reportRetryTimeout");
  }

  @Test
  void zeroConcurrencyIsRejected() {
    assertThatThrownBy(() -> SubscriptionOptions.builder().maxConcurrentJobs(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrentJobs");
    assertThatThrownBy(() -> SubscriptionOptions.builder().maxJobsPerFetch(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxJobsPerFetch");
  }

  @Test
  void aCopyOfDefaultsKeepsMaxJobsPerFetchFollowingMaxConcurrentJobs() {
    assertThat(SubscriptionOptions.defaults().toBuilder().maxConcurrentJobs(100).build().maxJobsPerFetch())
        .isEqualTo(100);
    SubscriptionOptions set = SubscriptionOptions.builder().maxJobsPerFetch(5).build();
    assertThat(set.toBuilder().maxConcurrentJobs(100).build().maxJobsPerFetch()).isEqualTo(5);
    assertThat(set.toBuilder().maxConcurrentJobs(2).build().maxJobsPerFetch()).isEqualTo(2);
  }

  @Test
  void blankAndDuplicateTopicsAreRejected() {
    assertThatThrownBy(() -> JobWorker.builder(engine).subscribe(" ", OK))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic");
    assertThatThrownBy(() -> JobWorker.builder(engine).subscribe("a", OK).subscribe("a", OK))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
    assertThatThrownBy(() -> JobWorker.builder(engine).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("subscribe");
  }

  @Test
  void filtersTheEngineCannotHonourAreRejectedAtBuildTime() {
    JobWorker.Builder builder = JobWorker.builder(engine)
        .subscribe("t", OK, SubscriptionOptions.builder().tenantIds(List.of("acme")).build());
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tenantIds").hasMessageContaining("inmemory").hasMessageContaining("tenants");
    // The filters the in-memory engine has are accepted.
    JobWorker ok = JobWorker.builder(engine).subscribe("t", OK, SubscriptionOptions.builder()
        .businessKey("bk").processDefinitionKey("p").build()).build();
    ok.close();
  }

  @Test
  void configKeysAreReadInBothSpellings() {
    EngineConfig config = EngineConfig.fromMap(Map.of(
        "POLYWORKER_ENGINE", "camunda",
        "polyworker.url", "http://localhost:8080/engine-rest",
        "POLYWORKER_OAUTH_CLIENT_ID", "client",
        "polyworker.oauth.client-secret", "s3cr3t",
        "unrelated.key", "x"));
    assertThat(config.engine()).isEqualTo("camunda");
    assertThat(config.get(EngineConfig.URL)).isEqualTo("http://localhost:8080/engine-rest");
    assertThat(config.get("POLYWORKER_URL")).isEqualTo("http://localhost:8080/engine-rest");
    assertThat(config.get(EngineConfig.OAUTH_CLIENT_ID)).isEqualTo("client");
    assertThat(config.get("POLYWORKER_OAUTH_CLIENT_SECRET")).isEqualTo("s3cr3t");
    assertThat(config.authType()).isEqualTo("oauth2");
    assertThat(config.asMap()).doesNotContainKey("unrelated.key");
    assertThat(EngineConfig.envName(EngineConfig.OAUTH_TOKEN_URL)).isEqualTo("POLYWORKER_OAUTH_TOKEN_URL");
    assertThatThrownBy(() -> config.require(EngineConfig.USERNAME))
        .isInstanceOf(PolyworkerException.class).hasMessageContaining("POLYWORKER_USERNAME");
  }

  @Test
  void systemPropertiesAreRead() {
    String key = "polyworker.test-only-key";
    System.setProperty(key, "from-property");
    try {
      assertThat(EngineConfig.fromEnvironment().get(key)).isEqualTo("from-property");
    } finally {
      System.clearProperty(key);
    }
  }

  @Test
  void toStringHidesSecrets() {
    EngineConfig config = EngineConfig.fromMap(Map.of(
        "polyworker.username", "demo",
        "polyworker.password", "pw-123",
        "polyworker.token", "tok-456",
        "polyworker.oauth.client-secret", "sec-789"));
    assertThat(config.toString()).contains("demo")
        .doesNotContain("pw-123").doesNotContain("tok-456").doesNotContain("sec-789");
    assertThat(config.authType()).isEqualTo("basic");
  }

  @Test
  void noEngineSelectedNamesTheSettingAndTheArtifacts() {
    assertThatThrownBy(() -> Engines.fromConfig(EngineConfig.fromMap(Map.of())))
        .isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("POLYWORKER_ENGINE")
        .hasMessageContaining("io.polyworker:polyworker-engine-camunda");
  }

  @Test
  void unknownEngineNamesTheArtifactToAdd() {
    assertThatThrownBy(() -> Engines.fromConfig(EngineConfig.fromMap(Map.of("POLYWORKER_ENGINE", "Flowable"))))
        .isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("io.polyworker:polyworker-engine-flowable");
  }
}
