package io.polyworker.camunda;

import io.polyworker.Engine;
import io.polyworker.camunda.internal.CamundaHttp;
import io.polyworker.camunda.internal.CamundaJobClient;
import io.polyworker.camunda.internal.CamundaProcessClient;
import io.polyworker.support.internal.HttpSettings;
import java.time.Duration;
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
      return new CamundaEngineImpl(new CamundaHttp(built));
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
