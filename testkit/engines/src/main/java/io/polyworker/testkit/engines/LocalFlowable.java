package io.polyworker.testkit.engines;

import io.polyworker.engine.EngineConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real Flowable 7.2 engine (BPMN and CMMN, H2 file database) in a child JVM on 127.0.0.1, for
 * tests: the {@code polyworker-testkit-flowable-server} fat jar.
 *
 * <p>What it serves, without authentication:
 * <ul>
 *   <li>{@link #processApiUrl()} — Flowable's process REST API ({@code /repository/deployments},
 *       {@code /runtime/process-instances}, {@code /history/historic-process-instances},
 *       {@code /management/jobs}, {@code /management/deadletter-jobs}, ...);</li>
 *   <li>{@link #externalJobApiUrl()} — the external worker job REST API ({@code /acquire/jobs},
 *       {@code /acquire/jobs/{id}/complete|fail|bpmnError|cmmnTerminate}, {@code /unacquire/jobs}, {@code /jobs});</li>
 *   <li>{@link #cmmnTestApiUrl()} — a small CMMN helper API of the test server (Flowable's CMMN REST
 *       module is not available): {@code POST /deployments} (multipart or raw XML with
 *       {@code ?resourceName=}), {@code POST /case-instances {caseDefinitionKey, businessKey, variables}},
 *       {@code GET /case-instances/{id}} ({@code state}: active, completed, terminated, ...; {@code variables}),
 *       {@code GET /case-instances/{id}/plan-item-instances}, {@code POST /case-instances/{id}/terminate}.</li>
 * </ul>
 *
 * <p>The server resets expired job locks every second (Flowable's default is 60 s) and polls for due
 * timers and retried jobs every 200 ms, with history level {@code full}. Completing an external worker job
 * is asynchronous in Flowable: the REST call answers 204 and the instance moves on a little later, so
 * tests should poll for the outcome.
 *
 * <pre>{@code
 * try (LocalFlowable flowable = LocalFlowable.create()) {
 *   flowable.start();                              // ~8 s
 *   String jobs = flowable.externalJobApiUrl();    // http://127.0.0.1:<port>/external-job-api
 * }
 * }</pre>
 *
 * <p>Most tests share one server per JVM: {@link #shared()}, or a {@code LocalFlowable} parameter with
 * {@link LocalEnginesExtension}. The server runs on the JVM of the tests ({@link JavaRuntimes#current()}) from
 * the jar of {@code polyworker-testkit-flowable-server} found by {@link ServerJars}. Nothing is deployed.
 */
public final class LocalFlowable extends LocalEngine implements EngineEndpoint {

  /** The server name for {@link ServerJars#find(String)}. */
  static final String SERVER = "flowable-server";

  private final FlowableHistory history = FlowableHistory.of(this);

  private LocalFlowable(Path dataDirectory, boolean temporary) {
    super("Flowable 7", SERVER, dataDirectory, temporary);
  }

  /**
   * A new, not yet started engine with a fresh temporary data directory that {@link #close()}
   * deletes.
   */
  public static LocalFlowable create() {
    return new LocalFlowable(newTemporaryDirectory("polyworker-flowable-"), true);
  }

  /**
   * A new, not yet started engine keeping its database in {@code dataDirectory} (created if missing,
   * never deleted by this class): starting it on a directory used before finds the old data.
   */
  public static LocalFlowable create(Path dataDirectory) {
    return new LocalFlowable(dataDirectory, false);
  }

  /**
   * The engine shared by all tests in this JVM: started on first use (and started again if a test
   * stopped or killed it), stopped and deleted by a shutdown hook. Do not {@link #close()} it; fault
   * tests use their own {@link #create()}.
   */
  public static LocalFlowable shared() {
    return shared(LocalFlowable.class, LocalFlowable::create);
  }

  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** Flowable's process REST API: {@code http://127.0.0.1:<port>/process-api}. */
  public String processApiUrl() {
    return baseUrl() + "/process-api";
  }

  /** Flowable's external worker job REST API: {@code http://127.0.0.1:<port>/external-job-api}. */
  public String externalJobApiUrl() {
    return baseUrl() + "/external-job-api";
  }

  /** The test server's CMMN helper API: {@code http://127.0.0.1:<port>/polyworker-test/cmmn}. */
  public String cmmnTestApiUrl() {
    return baseUrl() + "/polyworker-test/cmmn";
  }

  /**
   * The engine id {@code flowable} and {@link #baseUrl()}; the APIs are at the engine module's default
   * paths and need no credentials.
   */
  @Override
  public EngineConfig config() {
    return EngineConfig.fromMap(Map.of(EngineConfig.ENGINE, "flowable", EngineConfig.URL, baseUrl()));
  }

  /** What this engine recorded (history, jobs, dead-letter jobs), read through its REST APIs. */
  public FlowableHistory history() {
    return history;
  }

  @Override
  protected boolean isReady(int port) throws Exception {
    return httpGetOk("http://127.0.0.1:" + port + "/process-api/repository/process-definitions",
        body -> body.contains("\"data\""));
  }
}
