package io.polyworker.zeebe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.PolyworkerException;
import io.polyworker.spi.Capability;
import io.polyworker.spi.FetchRequest;
import io.polyworker.testkit.engines.LocalZeebe;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builder validation, capabilities, and configuration-driven creation through the provider. */
class ZeebeEngineBuilderTest {
  private static final URI LOCAL = URI.create("http://127.0.0.1:26500");

  @Test
  void theAddressIsRequiredAndItsSchemeMustAgreeWithTheTransportSecurity() {
    assertThatThrownBy(() -> ZeebeEngine.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("grpcAddress is required");
    assertThatThrownBy(() -> ZeebeEngine.builder().grpcAddress(LOCAL).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("plaintext()");
    assertThatThrownBy(() -> ZeebeEngine.builder().grpcAddress(URI.create("https://zeebe:443")).plaintext().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("https://");
    assertThatThrownBy(() -> ZeebeEngine.builder().grpcAddress(URI.create("grpc://zeebe:26500")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http:// or https://");
    assertThatThrownBy(() -> ZeebeEngine.builder().grpcAddress(URI.create("https://zeebe")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
  }

  @Test
  void credentialsInAnAddressAreRefusedWithoutEchoingThem() {
    // The gRPC channel never sends user info as credentials, and the address is printed in messages
    // and toString(): refuse it at once, pointing at the settings that do authenticate.
    assertThatThrownBy(() -> ZeebeEngine.builder().grpcAddress(URI.create("https://demo:s3cr3t@zeebe:443")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("grpcAddress").hasMessageContaining("user info")
        .hasMessageContaining("oauth2").hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> ZeebeEngine.builder().oauth2(URI.create("https://id:s3cr3t@login/token"),
        "id", "secret", "aud"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tokenUrl").hasMessageContaining("clientSecret")
        .hasMessageNotContaining("s3cr3t");
    Map<String, String> config = Map.of("polyworker.engine", "zeebe",
        "polyworker.url", "https://demo:s3cr3t@zeebe.example:443");
    assertThatThrownBy(() -> Engines.fromConfig(EngineConfig.fromMap(config)))
        .isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("polyworker.url").hasMessageContaining("POLYWORKER_URL")
        .hasMessageContaining("polyworker.oauth.client-id").hasMessageNotContaining("s3cr3t");
    assertThat(EngineConfig.fromMap(config).toString()).doesNotContain("s3cr3t");
    // Not even a URL that fails to parse is echoed with its password.
    assertThatThrownBy(() -> Engines.fromConfig(EngineConfig.fromMap(Map.of("polyworker.engine", "zeebe",
        "polyworker.url", "https://demo:s3cr3t@zeebe example:443"))))
        .isInstanceOf(PolyworkerException.class).hasMessageNotContaining("s3cr3t");
  }

  @Test
  void optionsAreValidatedWhereTheyAreSet(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> ZeebeEngine.builder().requestTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestTimeout");
    assertThatThrownBy(() -> ZeebeEngine.builder().oauth2(URI.create("https://login/token"), " ", "s", "a"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientId");
    assertThatThrownBy(() -> ZeebeEngine.builder().oauth2(URI.create("https://login/token"), "id", "", "a"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientSecret");
    assertThatThrownBy(() -> ZeebeEngine.builder().grpcAddress(URI.create("https://zeebe:443"))
        .caCertificatePath(dir.resolve("missing.pem")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");

    Path pem = Files.writeString(dir.resolve("ca.pem"), "not checked until the first call");
    ZeebeEngine.Builder builder = ZeebeEngine.builder().grpcAddress(URI.create("https://zeebe:443"))
        .caCertificatePath(pem).oauth2(URI.create("https://login/token"), "id", "top-secret", "aud");
    assertThat(builder.toString()).contains("id").doesNotContain("top-secret");
  }

  @Test
  void capabilitiesFollowTheOptionsAndExplainWhatIsMissing() {
    try (Engine defaults = ZeebeEngine.builder().grpcAddress(LOCAL).plaintext().build();
        Engine tuned = ZeebeEngine.builder().grpcAddress(LOCAL).plaintext().streaming(false)
            .longPolling(true).build()) {
      assertThat(defaults.id()).isEqualTo("zeebe");
      assertThat(defaults.capabilities().present()).containsExactlyInAnyOrder(Capability.STREAMING,
          Capability.LOCK_EXTENSION, Capability.RELEASE, Capability.TENANT_FILTER,
          Capability.VARIABLE_FILTER, Capability.INCIDENTS, Capability.MESSAGE_BUFFERING,
          Capability.START_NEEDS_NONE_START_EVENT);
      assertThat(defaults.capabilities().whyMissing(Capability.PROCESS_DEFINITION_FILTER))
          .isEqualTo("Zeebe jobs cannot be filtered by process");
      assertThat(defaults.capabilities().whyMissing(Capability.LOCK_OWNERSHIP))
          .isEqualTo("Zeebe does not check which worker holds a job: a stale worker's complete succeeds");
      assertThat(defaults.capabilities().whyMissing(Capability.LONG_POLLING)).contains("in-memory engine");

      assertThat(tuned.capabilities().has(Capability.STREAMING)).isFalse();
      assertThat(tuned.capabilities().has(Capability.LONG_POLLING)).isTrue();
      assertThatThrownBy(() -> tuned.jobClient().openStream(FetchRequest.of("w", "t", 1,
          Duration.ofSeconds(10)), job -> {}))
          .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("streaming(false)");
    }
  }

  @Test
  void theProviderBuildsAWorkingEngineFromConfiguration() {
    LocalZeebe zeebe = LocalZeebe.shared();
    try (Engine engine = Engines.fromConfig(EngineConfig.fromMap(Map.of(
        "POLYWORKER_ENGINE", "zeebe",
        "POLYWORKER_URL", zeebe.grpcUri().toString(),
        "POLYWORKER_ZEEBE_STREAMING", "false",
        "POLYWORKER_ZEEBE_REQUEST_TIMEOUT", "PT20S")))) {
      assertThat(engine.id()).isEqualTo("zeebe");
      assertThat(engine.capabilities().has(Capability.STREAMING)).isFalse();
      // http:// implies plaintext: the call goes through.
      assertThat(engine.jobClient().fetchAndLock(FetchRequest.of("w", "nothing", 1, Duration.ofSeconds(5)))
          .join()).isEmpty();
    }
  }

  @Test
  void theProviderNamesTheSettingThatIsWrong() {
    Map<String, String> base = new HashMap<>(Map.of("polyworker.engine", "zeebe",
        "polyworker.url", "https://zeebe.example:443"));
    assertThatThrownBy(() -> create(base, "polyworker.zeebe.plaintext", "yes"))
        .isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("polyworker.zeebe.plaintext").hasMessageContaining("POLYWORKER_ZEEBE_PLAINTEXT");
    assertThatThrownBy(() -> create(base, "polyworker.zeebe.plaintext", "true"))
        .isInstanceOf(PolyworkerException.class).hasMessageContaining("https://");
    assertThatThrownBy(() -> create(base, "polyworker.username", "demo"))
        .isInstanceOf(PolyworkerException.class).hasMessageContaining("basic").hasMessageContaining("oauth2");
    assertThatThrownBy(() -> create(base, "polyworker.zeebe.request-timeout", "20s"))
        .isInstanceOf(PolyworkerException.class).hasMessageContaining("PT20S");
    assertThatThrownBy(() -> create(base, "polyworker.oauth.client-id", "id"))
        .isInstanceOf(PolyworkerException.class).hasMessageContaining("polyworker.oauth.token-url");
    assertThatThrownBy(() -> Engines.fromConfig(EngineConfig.fromMap(Map.of("polyworker.engine", "zeebe"))))
        .isInstanceOf(PolyworkerException.class).hasMessageContaining("POLYWORKER_URL");

    base.put("polyworker.oauth.token-url", "https://login.cloud.camunda.io/oauth/token");
    base.put("polyworker.oauth.client-id", "the-client");
    base.put("polyworker.oauth.client-secret", "the-secret");
    base.put("polyworker.oauth.audience", "zeebe.camunda.io");
    try (Engine engine = Engines.fromConfig(EngineConfig.fromMap(base))) {
      assertThat(engine.toString()).contains("TLS").contains("the-client").doesNotContain("the-secret");
    }
  }

  private static Engine create(Map<String, String> base, String key, String value) {
    Map<String, String> settings = new HashMap<>(base);
    settings.put(key, value);
    return Engines.fromConfig(EngineConfig.fromMap(settings));
  }
}
