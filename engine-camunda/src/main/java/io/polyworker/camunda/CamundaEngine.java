package io.polyworker.camunda;

import io.polyworker.Engine;
import io.polyworker.camunda.internal.CamundaHttp;
import io.polyworker.camunda.internal.CamundaJobClient;
import io.polyworker.camunda.internal.CamundaProcessClient;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

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
    private @Nullable HttpUrl baseUrl;
    private @Nullable String username;
    private @Nullable String password;
    private @Nullable Supplier<String> token;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private @Nullable OkHttpClient httpClient;

    private Builder() {}

    /** The REST root, such as {@code http://localhost:8080/engine-rest}. Required. */
    public Builder baseUrl(String url) {
      HttpUrl parsed = HttpUrl.parse(Objects.requireNonNull(url, "baseUrl"));
      if (parsed == null) {
        throw new IllegalArgumentException("baseUrl is not an http(s) URL: " + url);
      }
      this.baseUrl = parsed;
      return this;
    }

    /** HTTP basic authentication. */
    public Builder basicAuth(String username, String password) {
      if (username == null || username.isBlank()) {
        throw new IllegalArgumentException("username is blank");
      }
      this.username = username;
      this.password = Objects.requireNonNull(password, "password");
      this.token = null;
      return this;
    }

    /** A static bearer token. */
    public Builder bearerToken(String token) {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("bearerToken is blank");
      }
      return tokenSupplier(() -> token);
    }

    /** A bearer token asked for on every request (cache inside the supplier if it is costly). */
    public Builder tokenSupplier(Supplier<String> supplier) {
      this.token = Objects.requireNonNull(supplier, "tokenSupplier");
      this.username = null;
      this.password = null;
      return this;
    }

    /** TCP connect timeout, &gt; 0. Default 5 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** Timeout of a whole request, &gt; 0; long polls get their poll time on top. Default 30 s. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /** Use this OkHttp client (its pool and dispatcher are shared; Polyworker does not shut it down). */
    public Builder httpClient(OkHttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be > 0: " + d);
      }
      return d;
    }

    /**
     * Builds the engine. Does not contact the server.
     *
     * @throws IllegalStateException when baseUrl is missing
     */
    public Engine build() {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl is required (e.g. http://localhost:8080/engine-rest)");
      }
      CamundaHttp http = new CamundaHttp(baseUrl, httpClient, connectTimeout, requestTimeout,
          username, password, token);
      return new CamundaEngineImpl(http);
    }
  }

  private static final class CamundaEngineImpl implements Engine {
    private final CamundaHttp http;
    private final CamundaJobClient jobs;
    private final CamundaProcessClient processes;

    CamundaEngineImpl(CamundaHttp http) {
      this.http = http;
      this.jobs = new CamundaJobClient(http);
      this.processes = new CamundaProcessClient(http);
    }

    @Override
    public String id() {
      return ID;
    }

    @Override
    public io.polyworker.ProcessClient processClient() {
      return processes;
    }

    @Override
    public io.polyworker.spi.EngineClient jobClient() {
      return jobs;
    }

    @Override
    public void close() {
      processes.close();
      http.close();
    }

    @Override
    public String toString() {
      return "CamundaEngine[" + http + "]";
    }
  }
}
