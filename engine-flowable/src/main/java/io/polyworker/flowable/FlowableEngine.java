package io.polyworker.flowable;

import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.flowable.internal.FlowableEngineFactory;
import io.polyworker.support.RestEngineBuilder;
import io.polyworker.support.internal.HttpSettings;
import java.util.List;

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
   * Builds a Flowable {@link Engine}. Not thread-safe. The connection options, their defaults and their
   * checks are those of {@link RestEngineBuilder}; the base URL is the server root, with the process
   * API at {@link #processApiPath(String)} and the external job API at
   * {@link #externalJobApiPath(String)} below it: {@code http://localhost:8080} for a Flowable Spring
   * Boot application, {@code http://localhost:8080/flowable-rest} for the Flowable REST webapp. A token
   * supplier suits a Flowable Cloud personal access token refreshed elsewhere.
   *
   * <table>
   *   <caption>Flowable's own options and defaults</caption>
   *   <tr><th>option</th><th>default</th></tr>
   *   <tr><td>{@link #processApiPath(String)}</td><td>{@code /process-api}</td></tr>
   *   <tr><td>{@link #externalJobApiPath(String)}</td><td>{@code /external-job-api}</td></tr>
   * </table>
   */
  public static final class Builder extends RestEngineBuilder<Builder> {
    private String processApiPath = "/process-api";
    private String externalJobApiPath = "/external-job-api";

    private Builder() {
      super("the Flowable server root, such as http://localhost:8080");
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

    @Override
    protected Engine create(HttpSettings settings) {
      return FlowableEngineFactory.create(settings, processApiPath, externalJobApiPath);
    }

    @Override
    protected String ownOptions() {
      return ", processApiPath=" + processApiPath + ", externalJobApiPath=" + externalJobApiPath;
    }
  }
}
