package io.polyworker.flowable;

import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.flowable.internal.FlowableEngineFactory;
import io.polyworker.support.internal.HttpSettings;
import java.time.Duration;
import java.util.List;
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
  public static final String ID = "flowable";

  /** Configuration key of {@link Builder#processApiPath(String)}; default {@code /process-api}. */
  public static final String PROCESS_API_PATH = "polyworker.flowable.process-api-path";
  /** Configuration key of {@link Builder#externalJobApiPath(String)}; default {@code /external-job-api}. */
  public static final String EXTERNAL_JOB_API_PATH = "polyworker.flowable.external-job-api-path";

  /**
   * The keys {@link io.polyworker.engine.Engines#fromConfig} reads to build this engine, each also as an
   * environment variable ({@code polyworker.flowable.process-api-path} is
   * {@code POLYWORKER_FLOWABLE_PROCESS_API_PATH}): common ones of {@link EngineConfig} and two of its
   * own. The timeouts, a token supplier and a shared HTTP client are builder options only.
   *
   * <table>
   *   <caption>Configuration keys and defaults</caption>
   *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
   *   <tr><td>{@value EngineConfig#ENGINE}</td><td>{@code flowable}</td><td>none: required</td></tr>
   *   <tr><td>{@value EngineConfig#URL}</td><td>the server root ({@link Builder#baseUrl})</td>
   *       <td>none: required</td></tr>
   *   <tr><td>{@value EngineConfig#AUTH}</td><td>{@code none}, {@code basic} or {@code bearer}; others
   *       are refused</td><td>{@code basic} with a username, {@code bearer} with a token, else
   *       {@code none}</td></tr>
   *   <tr><td>{@value EngineConfig#USERNAME}, {@value EngineConfig#PASSWORD}</td><td>basic auth
   *       ({@link Builder#basicAuth})</td><td>none; both required with {@code basic}</td></tr>
   *   <tr><td>{@value EngineConfig#TOKEN}</td><td>static bearer token ({@link Builder#bearerToken})</td>
   *       <td>none; required with {@code bearer}</td></tr>
   *   <tr><td>{@value #PROCESS_API_PATH}</td><td>{@link Builder#processApiPath}</td>
   *       <td>{@code /process-api}</td></tr>
   *   <tr><td>{@value #EXTERNAL_JOB_API_PATH}</td><td>{@link Builder#externalJobApiPath}</td>
   *       <td>{@code /external-job-api}</td></tr>
   * </table>
   */
  public static final List<String> CONFIG_KEYS = List.of(EngineConfig.ENGINE, EngineConfig.URL,
      EngineConfig.AUTH, EngineConfig.USERNAME, EngineConfig.PASSWORD, EngineConfig.TOKEN,
      PROCESS_API_PATH, EXTERNAL_JOB_API_PATH);

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
      return FlowableEngineFactory.create(built, processApiPath, externalJobApiPath);
    }

    @Override
    public String toString() {
      return "FlowableEngine.Builder{" + settings + ", processApiPath=" + processApiPath
          + ", externalJobApiPath=" + externalJobApiPath + "}";
    }
  }
}
