package io.polyworker.camunda;

import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.camunda.internal.CamundaEngineFactory;
import io.polyworker.support.internal.HttpSettings;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;

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
   * Builds a Camunda {@link Engine}. Not thread-safe.
   *
   * <table>
   *   <caption>Options and defaults</caption>
   *   <tr><th>option</th><th>default</th></tr>
   *   <tr><td>{@link #baseUrl(String)}</td><td>none: required</td></tr>
   *   <tr><td>auth</td><td>none; {@link #basicAuth} or {@link #bearerToken} / {@link #tokenSupplier}</td></tr>
   *   <tr><td>{@link #connectTimeout(Duration)}</td><td>5 s</td></tr>
   *   <tr><td>{@link #requestTimeout(Duration)}</td><td>30 s (a long poll adds its own timeout to it)</td></tr>
   *   <tr><td>{@link #httpClient(OkHttpClient)}</td><td>a client of its own</td></tr>
   * </table>
   */
  public static final class Builder {
    private final HttpSettings.Builder settings = HttpSettings.builder();

    private Builder() {}

    /** The REST root, such as {@code http://localhost:8080/engine-rest}. Required. */
    public Builder baseUrl(String url) {
      settings.baseUrl(url);
      return this;
    }

    /** HTTP basic authentication. */
    public Builder basicAuth(String username, String password) {
      settings.basicAuth(username, password);
      return this;
    }

    /** A static bearer token. */
    public Builder bearerToken(String token) {
      settings.bearerToken(token);
      return this;
    }

    /**
     * A bearer token asked for on every request (cache inside the supplier if it is costly). A
     * supplier that throws or returns a blank token fails that request with an
     * {@link io.polyworker.AuthenticationException}.
     */
    public Builder tokenSupplier(Supplier<String> supplier) {
      settings.tokenSupplier(supplier);
      return this;
    }

    /** TCP connect timeout, &gt; 0. Default 5 s. */
    public Builder connectTimeout(Duration timeout) {
      settings.connectTimeout(timeout);
      return this;
    }

    /** Timeout of a whole request, &gt; 0; long polls get their poll time on top. Default 30 s. */
    public Builder requestTimeout(Duration timeout) {
      settings.requestTimeout(timeout);
      return this;
    }

    /** Use this OkHttp client (its pool and dispatcher are shared; Polyworker does not shut it down). */
    public Builder httpClient(OkHttpClient client) {
      settings.httpClient(client);
      return this;
    }

    /**
     * Builds the engine. Does not contact the server.
     *
     * @throws IllegalStateException when baseUrl is missing
     */
    public Engine build() {
      HttpSettings built = settings.build("e.g. http://localhost:8080/engine-rest");
      return CamundaEngineFactory.create(built);
    }
  }
}
