package io.polyworker.camunda;

import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.camunda.internal.CamundaEngineFactory;
import io.polyworker.support.RestEngineBuilder;
import io.polyworker.support.internal.HttpSettings;
import java.time.Duration;
import java.util.List;

/**
 * Camunda 7 over its REST API (external tasks and process operations). Works with the same REST API
 * of Operaton and CIB seven (untested there).
 *
 * <pre>{@code
 * Engine engine = CamundaEngine.builder()
 *     .baseUrl("http://localhost:8080/engine-rest")
 *     .basicAuth("demo", "demo")
 *     .build();
 * }</pre>
 *
 * <p>The engine is thread-safe; share one per server. {@link Engine#close()} shuts down its HTTP
 * threads and connections (a client passed with {@link Builder#httpClient} is shared, not closed).
 */
public final class CamundaEngine {
  /** The engine id, {@code camunda}. */
  public static final String ID = "camunda";

  /**
   * The keys {@link io.polyworker.engine.Engines#fromConfig} reads to build this engine, each also as an
   * environment variable ({@code polyworker.url} is {@code POLYWORKER_URL}). Camunda has no keys of
   * its own: it reads common ones of {@link EngineConfig}. The timeouts and a shared HTTP client are
   * builder options only.
   *
   * <table>
   *   <caption>Configuration keys and defaults</caption>
   *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
   *   <tr><td>{@value EngineConfig#ENGINE}</td><td>{@code camunda}</td><td>none: required</td></tr>
   *   <tr><td>{@value EngineConfig#URL}</td><td>the REST root, {@code .../engine-rest}
   *       ({@link Builder#baseUrl})</td><td>none: required</td></tr>
   *   <tr><td>{@value EngineConfig#AUTH}</td><td>{@code none}, {@code basic} or {@code bearer}; others
   *       are refused</td><td>{@code basic} with a username, {@code bearer} with a token, else
   *       {@code none}</td></tr>
   *   <tr><td>{@value EngineConfig#USERNAME}, {@value EngineConfig#PASSWORD}</td><td>basic auth
   *       ({@link Builder#basicAuth})</td><td>none; both required with {@code basic}</td></tr>
   *   <tr><td>{@value EngineConfig#TOKEN}</td><td>static bearer token ({@link Builder#bearerToken})</td>
   *       <td>none; required with {@code bearer}</td></tr>
   * </table>
   */
  public static final List<String> CONFIG_KEYS = List.of(EngineConfig.ENGINE, EngineConfig.URL,
      EngineConfig.AUTH, EngineConfig.USERNAME, EngineConfig.PASSWORD, EngineConfig.TOKEN);

  private CamundaEngine() {}

  /** A builder with the defaults documented on its setters. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a Camunda {@link Engine}. Not thread-safe. The connection options, their defaults and their
   * checks are those of {@link RestEngineBuilder}; the base URL is the REST root, such as
   * {@code http://localhost:8080/engine-rest}. A long poll's request gets the poll time on top of
   * {@link #requestTimeout(Duration) requestTimeout}.
   */
  public static final class Builder extends RestEngineBuilder<Builder> {
    private Builder() {
      super("e.g. http://localhost:8080/engine-rest");
    }

    @Override
    protected Engine create(HttpSettings settings) {
      return CamundaEngineFactory.create(settings);
    }
  }
}
