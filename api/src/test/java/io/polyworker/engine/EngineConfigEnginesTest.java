package io.polyworker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyworker.PolyworkerException;
import io.polyworker.ProcessClient;
import io.polyworker.spi.EngineClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Multi-engine configuration ({@code polyworker.engines} and the per-engine keys): the mapping of
 * {@link EngineConfig#forEngine}, and {@link Engines#allFromConfig} over two test providers
 * ({@code alpha}, {@code beta}) that this test's {@code META-INF/services} registers.
 */
class EngineConfigEnginesTest {
  /** Every engine the test providers made, in order. */
  static final List<TestEngine> MADE = new CopyOnWriteArrayList<>();

  @BeforeEach
  void forgetEngines() {
    MADE.clear();
  }

  @Test
  void theEngineListIsReadInEitherSpellingTrimmedAndLowerCaseInOrder() {
    EngineConfig env = EngineConfig.fromMap(Map.of("POLYWORKER_ENGINES", " Zeebe , camunda"));
    assertThat(env.engines()).containsExactly("zeebe", "camunda");
    assertThat(EngineConfig.fromMap(Map.of("polyworker.engines", "flowable")).engines())
        .containsExactly("flowable");
    assertThat(EngineConfig.fromMap(Map.of(EngineConfig.ENGINE, "zeebe")).engines()).isEmpty();
  }

  @Test
  void anEngineListedTwiceOrAnEmptyEntryIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> EngineConfig.fromMap(Map.of("POLYWORKER_ENGINES", "camunda,zeebe,CAMUNDA")).engines())
        .isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("polyworker.engines").hasMessageContaining("POLYWORKER_ENGINES")
        .hasMessageContaining("'camunda' twice");
    assertThatThrownBy(() -> EngineConfig.fromMap(Map.of(EngineConfig.ENGINES, "camunda,,zeebe")).engines())
        .hasMessageContaining("polyworker.engines").hasMessageContaining("empty entry");
    assertThatThrownBy(() -> Engines.allFromConfig(
        EngineConfig.fromMap(Map.of(EngineConfig.ENGINES, "alpha,alpha"))))
        .hasMessageContaining("'alpha' twice");
  }

  @Test
  void forEngineReadsTheCommonKeysFromTheirPerEngineSpellingAndKeepsTheOtherKeys() {
    EngineConfig config = EngineConfig.fromMap(Map.of(
        "POLYWORKER_ENGINES", "camunda,zeebe",
        "POLYWORKER_CAMUNDA_URL", "http://camunda:8080/engine-rest",
        "polyworker.camunda.username", "demo",
        "POLYWORKER_CAMUNDA_PASSWORD", "pw",
        "polyworker.zeebe.url", "http://zeebe:26500",
        "POLYWORKER_ZEEBE_OAUTH_CLIENT_ID", "worker",
        "polyworker.zeebe.oauth.token-url", "https://idp/token",
        "polyworker.zeebe.plaintext", "true",
        "polyworker.worker.id", "w1"));

    EngineConfig camunda = config.forEngine("camunda");
    assertThat(camunda.engine()).isEqualTo("camunda");
    assertThat(camunda.get(EngineConfig.URL)).isEqualTo("http://camunda:8080/engine-rest");
    assertThat(camunda.get(EngineConfig.USERNAME)).isEqualTo("demo");
    assertThat(camunda.get(EngineConfig.PASSWORD)).isEqualTo("pw");
    assertThat(camunda.authType()).isEqualTo("basic");
    assertThat(camunda.get(EngineConfig.OAUTH_CLIENT_ID)).isNull();
    assertThat(camunda.get(EngineConfig.ENGINES)).isNull();
    assertThat(camunda.get("polyworker.worker.id")).isEqualTo("w1");

    EngineConfig zeebe = config.forEngine("ZEEBE");
    assertThat(zeebe.engine()).isEqualTo("zeebe");
    assertThat(zeebe.get("POLYWORKER_URL")).isEqualTo("http://zeebe:26500");
    assertThat(zeebe.get(EngineConfig.OAUTH_CLIENT_ID)).isEqualTo("worker");
    assertThat(zeebe.get(EngineConfig.OAUTH_TOKEN_URL)).isEqualTo("https://idp/token");
    assertThat(zeebe.authType()).isEqualTo("oauth2");
    assertThat(zeebe.get(EngineConfig.USERNAME)).isNull();
    assertThat(zeebe.get("polyworker.zeebe.plaintext")).isEqualTo("true");
    assertThat(zeebe.get("polyworker.zeebe.url")).as("moved to polyworker.url").isNull();
  }

  @Test
  void singleEngineKeysWorkAsBefore() {
    Engine engine = Engines.fromConfig(EngineConfig.fromMap(Map.of(
        "POLYWORKER_ENGINE", "alpha", "POLYWORKER_URL", "http://alpha")));
    assertThat(engine.id()).isEqualTo("alpha");
    assertThat(MADE).singleElement().satisfies(e -> assertThat(e.url).isEqualTo("http://alpha"));
    assertThat(Engines.allFromConfig(EngineConfig.fromMap(Map.of(
        EngineConfig.ENGINE, "alpha", EngineConfig.URL, "http://alpha"))))
        .extracting(Engine::id).containsExactly("alpha");
  }

  @Test
  void allFromConfigMakesOneEnginePerListedIdFromItsPerEngineKeys() {
    List<Engine> engines = Engines.allFromConfig(EngineConfig.fromMap(Map.of(
        "POLYWORKER_ENGINES", "beta,alpha",
        "POLYWORKER_ALPHA_URL", "http://alpha",
        "POLYWORKER_BETA_URL", "http://beta",
        "POLYWORKER_BETA_TOKEN", "t")));
    assertThat(engines).extracting(Engine::id).containsExactly("beta", "alpha");
    assertThat(MADE).extracting(e -> e.url).containsExactly("http://beta", "http://alpha");
    assertThatThrownBy(() -> engines.add(engines.get(0))).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aMissingPerEngineUrlNamesThePerEngineKeyAndItsEnvironmentVariable() {
    assertThatThrownBy(() -> Engines.allFromConfig(EngineConfig.fromMap(Map.of(
        EngineConfig.ENGINES, "alpha,beta", "polyworker.alpha.url", "http://alpha"))))
        .isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("engine 'beta' of polyworker.engines")
        .hasMessageContaining("polyworker.beta.url").hasMessageContaining("POLYWORKER_BETA_URL")
        .hasMessageNotContaining("polyworker.url").hasMessageNotContaining("POLYWORKER_URL");
    assertThat(MADE).singleElement().satisfies(alpha -> assertThat(alpha.closed).isTrue());
  }

  @Test
  void aProvidersFailureNamesTheEngineAndThePerEngineKeyAndClosesTheEnginesMade() {
    assertThatThrownBy(() -> Engines.allFromConfig(EngineConfig.fromMap(Map.of(
        EngineConfig.ENGINES, "alpha,beta", "polyworker.alpha.url", "http://alpha",
        "polyworker.beta.url", "http://beta"))))
        .isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("engine 'beta' of polyworker.engines (alpha,beta)")
        .hasMessageContaining("polyworker.beta.token").hasMessageContaining("POLYWORKER_BETA_TOKEN")
        .hasMessageNotContaining("polyworker.token ").hasMessageNotContaining("POLYWORKER_TOKEN");
    assertThat(MADE).singleElement().satisfies(alpha -> assertThat(alpha.closed).isTrue());

    assertThatThrownBy(() -> Engines.allFromConfig(EngineConfig.fromMap(Map.of(
        EngineConfig.ENGINES, "alpha,kafka", "polyworker.alpha.url", "http://alpha"))))
        .hasMessageContaining("engine 'kafka' of polyworker.engines")
        .hasMessageContaining("unknown engine 'kafka' in setting polyworker.engines")
        .hasMessageContaining("POLYWORKER_ENGINES");
  }

  @Test
  void bothEngineAndEnginesSetIsRefusedSayingWhichToRemove() {
    EngineConfig both = EngineConfig.fromMap(Map.of(EngineConfig.ENGINE, "alpha",
        EngineConfig.ENGINES, "alpha,beta", "polyworker.alpha.url", "http://alpha"));
    for (Runnable create : List.<Runnable>of(() -> Engines.allFromConfig(both), () -> Engines.fromConfig(both))) {
      assertThatThrownBy(create::run).isInstanceOf(PolyworkerException.class)
          .hasMessageContaining("both polyworker.engine (POLYWORKER_ENGINE) and polyworker.engines")
          .hasMessageContaining("remove polyworker.engine to run on the engines listed");
    }
    assertThat(MADE).isEmpty();
  }

  @Test
  void fromConfigWithOnlyAnEngineListPointsToAllFromConfig() {
    assertThatThrownBy(() -> Engines.fromConfig(EngineConfig.fromMap(Map.of(EngineConfig.ENGINES, "alpha"))))
        .isInstanceOf(PolyworkerException.class).hasMessageContaining("Engines.allFromConfig");
  }

  @Test
  void aSingleEngineSpellingOfACommonKeyIsRefusedWithAnEngineList() {
    assertThatThrownBy(() -> Engines.allFromConfig(EngineConfig.fromMap(Map.of(
        EngineConfig.ENGINES, "alpha,beta", "POLYWORKER_URL", "http://alpha"))))
        .isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("setting polyworker.url (environment variable POLYWORKER_URL) is not read")
        .hasMessageContaining("polyworker.alpha.url / POLYWORKER_ALPHA_URL");
    assertThat(MADE).isEmpty();
  }

  @Test
  void toStringHidesPerEngineSecrets() {
    EngineConfig config = EngineConfig.fromMap(Map.of(
        "POLYWORKER_ENGINES", "camunda,zeebe",
        "POLYWORKER_CAMUNDA_URL", "https://user:pw1@camunda/engine-rest",
        "POLYWORKER_CAMUNDA_PASSWORD", "pw2",
        "POLYWORKER_CAMUNDA_TOKEN", "tok3",
        "POLYWORKER_ZEEBE_OAUTH_CLIENT_SECRET", "sec4",
        "POLYWORKER_ZEEBE_OAUTH_CLIENT_ID", "worker"));
    for (EngineConfig c : List.of(config, config.forEngine("camunda"), config.forEngine("zeebe"))) {
      assertThat(c.toString()).doesNotContain("pw1", "pw2", "tok3", "sec4").contains("****");
    }
    assertThat(config.toString()).contains("polyworker.zeebe.oauth.client.id=worker");
  }

  @Test
  void perEngineKeysOfTheCommonKeys() {
    assertThat(EngineConfig.perEngineKey("zeebe", EngineConfig.OAUTH_CLIENT_ID))
        .isEqualTo("polyworker.zeebe.oauth.client-id");
    assertThat(EngineConfig.envName(EngineConfig.perEngineKey("camunda", EngineConfig.URL)))
        .isEqualTo("POLYWORKER_CAMUNDA_URL");
    assertThatThrownBy(() -> EngineConfig.perEngineKey("zeebe", "polyworker.zeebe.plaintext"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Engines.perEngineSpelling("zeebe",
        "setting polyworker.url (environment variable POLYWORKER_URL): bad; polyworker.urls stays."))
        .isEqualTo("setting polyworker.zeebe.url (environment variable POLYWORKER_ZEEBE_URL): bad;"
            + " polyworker.urls stays.");
  }

  /** Needs only {@code polyworker.url}. */
  public static final class AlphaProvider implements EngineProvider {
    @Override public String id() { return "alpha"; }
    @Override public Engine create(EngineConfig config) {
      return TestEngine.made("alpha", config.require(EngineConfig.URL));
    }
  }

  /** Needs {@code polyworker.url} and {@code polyworker.token}. */
  public static final class BetaProvider implements EngineProvider {
    @Override public String id() { return "beta"; }
    @Override public Engine create(EngineConfig config) {
      String url = config.require(EngineConfig.URL);
      config.require(EngineConfig.TOKEN);
      return TestEngine.made("beta", url);
    }
  }

  static final class TestEngine implements Engine {
    final String id;
    final String url;
    volatile boolean closed;

    private TestEngine(String id, String url) {
      this.id = id;
      this.url = url;
    }

    static TestEngine made(String id, String url) {
      TestEngine engine = new TestEngine(id, url);
      MADE.add(engine);
      return engine;
    }

    @Override public String id() { return id; }
    @Override public ProcessClient processClient() { throw new UnsupportedOperationException(); }
    @Override public EngineClient jobClient() { throw new UnsupportedOperationException(); }
    @Override public void close() { closed = true; }
  }
}
