package io.polyworker.flowable;

import io.polyworker.Engine;
import io.polyworker.ProcessClient;
import io.polyworker.flowable.internal.FlowableHttp;
import io.polyworker.flowable.internal.FlowableJobClient;
import io.polyworker.flowable.internal.FlowableProcessClient;
import io.polyworker.support.internal.HttpSettings;
import io.polyworker.spi.EngineClient;
import java.time.Duration;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;

/**
 * Flowable over HTTP: external worker jobs (BPMN and CMMN) through its external job REST API, process
 * operations through its process REST API. Tested against Flowable 7.2.
 *
 * <pre>{@code
 * Engine engine = FlowableEngine.builder()
 *     .baseUrl("http://localhost:8080/flowable-rest")   // the server root
 *     .basicAuth("rest-admin", "test")
 *     .build();
 * }</pre>
 *
 * <p>What differs from other engines is in {@link Engine#capabilities()}: no lock extension (choose a
 * lock duration longer than your slowest handler), no long polling (the worker backs off between
 * empty acquires), CMMN jobs and {@link io.polyworker.JobResult#terminate()}, no task-local variables.
 * Two things no capability names: a BPMN error's message is not sent (Flowable's REST call has no
 * field for it; the first one is logged once at INFO), and {@link io.polyworker.Job#businessKey()} is
 * always null (the acquire answer does not carry it).
 *
 * <p>The engine is thread-safe; share one per server. {@link Engine#close()} shuts down its HTTP
 * threads and connections (a client passed with {@link Builder#httpClient} is shared: its threads and
 * pool are left alone).
 */
public final class FlowableEngine {
  /** The engine id, {@code flowable}. */
  public static final String ID = FlowableHttp.ENGINE;

  private FlowableEngine() {}

  /** A builder with the defaults documented on {@link Builder}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a Flowable {@link Engine}. Not thread-safe. Setters fail fast with a message naming the
   * option.
   *
   * <table>
   *   <caption>Options and defaults</caption>
   *   <tr><th>option</th><th>default</th></tr>
   *   <tr><td>{@link #baseUrl(String)}</td><td>none: required</td></tr>
   *   <tr><td>{@link #processApiPath(String)}</td><td>{@code /process-api}</td></tr>
   *   <tr><td>{@link #externalJobApiPath(String)}</td><td>{@code /external-job-api}</td></tr>
   *   <tr><td>auth</td><td>none; {@link #basicAuth}, {@link #bearerToken} or {@link #tokenSupplier}
   *       (the last one set wins)</td></tr>
   *   <tr><td>{@link #connectTimeout(Duration)}</td><td>5 s</td></tr>
   *   <tr><td>{@link #requestTimeout(Duration)}</td><td>30 s</td></tr>
   *   <tr><td>{@link #httpClient(OkHttpClient)}</td><td>a client of its own</td></tr>
   * </table>
   */
  public static final class Builder {
    private final HttpSettings.Builder settings = HttpSettings.builder();
    private String processApiPath = "/process-api";
    private String externalJobApiPath = "/external-job-api";

    private Builder() {}

    /**
     * The server root, with the process API at {@link #processApiPath(String)} and the external job
     * API at {@link #externalJobApiPath(String)} below it: {@code http://localhost:8080} for a Flowable
     * Spring Boot application, {@code http://localhost:8080/flowable-rest} for the Flowable REST
     * webapp. Required.
     */
    public Builder baseUrl(String url) {
      settings.baseUrl(url);
      return this;
    }

    /** Path of the process REST API below {@link #baseUrl(String)}. Default {@code /process-api}. */
    public Builder processApiPath(String path) {
      this.processApiPath = path(path, "processApiPath");
      return this;
    }

    /** Path of the external worker job REST API below {@link #baseUrl(String)}. Default {@code /external-job-api}. */
    public Builder externalJobApiPath(String path) {
      this.externalJobApiPath = path(path, "externalJobApiPath");
      return this;
    }

    private static String path(String path, String name) {
      if (path == null || path.isBlank()) {
        throw new IllegalArgumentException(name + " is blank");
      }
      if (path.contains("?") || path.contains("#") || path.contains("://")) {
        throw new IllegalArgumentException(name + " must be a path such as /process-api: " + path);
      }
      return path.strip();
    }

    /** HTTP basic authentication on every request. Replaces a token set before. */
    public Builder basicAuth(String username, String password) {
      settings.basicAuth(username, password);
      return this;
    }

    /** A static bearer token sent on every request. Replaces basic auth set before. */
    public Builder bearerToken(String token) {
      settings.bearerToken(token);
      return this;
    }

    /**
     * A bearer token asked for on every request, for tokens that change (such as a Flowable Cloud
     * personal access token refreshed elsewhere, or an OAuth2 access token). Called on HTTP threads
     * and must be thread-safe; cache inside the supplier if obtaining a token is costly. A supplier
     * that throws or returns a blank token fails that request with an
     * {@link io.polyworker.AuthenticationException}. Replaces basic auth set before.
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

    /**
     * Timeout of one whole request, &gt; 0. Default 30 s. Flowable answers acquires at once (it has no
     * long polling), so this only bounds slow servers and large deployments.
     */
    public Builder requestTimeout(Duration timeout) {
      settings.requestTimeout(timeout);
      return this;
    }

    /**
     * Derive the HTTP client from this one (its connection pool and dispatcher are shared, and
     * Polyworker does not shut them down); the timeouts above still apply. Default: a client of its
     * own, closed with the engine.
     */
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
      HttpSettings built = settings.build("the Flowable server root, such as http://localhost:8080");
      return new FlowableEngineImpl(new FlowableHttp(built, processApiPath, externalJobApiPath));
    }

    @Override
    public String toString() {
      return "FlowableEngine.Builder{" + settings + ", processApiPath=" + processApiPath
          + ", externalJobApiPath=" + externalJobApiPath + "}";
    }
  }

  private static final class FlowableEngineImpl implements Engine {
    private final FlowableHttp http;
    private final FlowableJobClient jobs;
    private final FlowableProcessClient processes;

    FlowableEngineImpl(FlowableHttp http) {
      this.http = http;
      this.jobs = new FlowableJobClient(http);
      this.processes = new FlowableProcessClient(http);
    }

    @Override
    public String id() {
      return ID;
    }

    @Override
    public ProcessClient processClient() {
      return processes;
    }

    @Override
    public EngineClient jobClient() {
      return jobs;
    }

    @Override
    public void close() {
      processes.close();
      http.close();
    }

    @Override
    public String toString() {
      return "FlowableEngine[" + http + "]";
    }
  }
}
