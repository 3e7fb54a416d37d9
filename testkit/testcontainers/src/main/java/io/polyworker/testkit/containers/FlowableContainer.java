package io.polyworker.testkit.containers;

import io.polyworker.engine.EngineConfig;
import io.polyworker.testkit.engines.EngineEndpoint;
import java.time.Duration;
import java.util.Map;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Flowable's REST application, the official image {@value #DEFAULT_IMAGE}, for tests: the BPMN
 * and CMMN engines with an H2 database, served by Tomcat on port {@value #HTTP_PORT} below the
 * context path {@value #CONTEXT_PATH}. Unlike {@link io.polyworker.testkit.engines.LocalFlowable}
 * it asks for basic authentication ({@value #USERNAME} / {@value #PASSWORD}, the image's default
 * admin) and serves the process REST API at {@value #PROCESS_API_PATH}, not {@code /process-api}:
 * {@link #config()} carries both, so the switch stays one line:
 *
 * <pre>{@code
 * EngineEndpoint flowable = FlowableContainer.shared();   // was LocalFlowable.shared()
 * try (Engine engine = Engines.fromConfig(flowable.config())) { ... }
 * }</pre>
 *
 * <p>Ready when {@code GET /flowable-rest/service/management/engine} answers 200 to the admin's
 * credentials. The image also deploys Flowable's demo definitions; they do not use external worker
 * tasks. Needs a Docker engine.
 */
public final class FlowableContainer extends GenericContainer<FlowableContainer> implements EngineEndpoint {

  /** The image this container runs unless told otherwise: Flowable 7.2.0, the version the project tests. */
  public static final String DEFAULT_IMAGE = "flowable/flowable-rest:7.2.0";

  /** The port Tomcat listens on inside the container. */
  public static final int HTTP_PORT = 8080;

  /** The web application's context path: every API is below it. */
  public static final String CONTEXT_PATH = "/flowable-rest";

  /** Where the image serves the process REST API, below {@link #CONTEXT_PATH}. */
  public static final String PROCESS_API_PATH = "/service";

  /** Where the image serves the external worker job REST API, below {@link #CONTEXT_PATH}. */
  public static final String EXTERNAL_JOB_API_PATH = "/external-job-api";

  /** The admin user the image creates (it has the {@code rest-api} privilege the app checks). */
  public static final String USERNAME = "rest-admin";

  /** The password of {@link #USERNAME}. */
  public static final String PASSWORD = "test";

  /** The Flowable engine module's setting for {@link #PROCESS_API_PATH} (this module does not depend on it). */
  static final String PROCESS_API_PATH_KEY = "polyworker.flowable.process-api-path";

  /** The Flowable engine module's setting for {@link #EXTERNAL_JOB_API_PATH}. */
  static final String EXTERNAL_JOB_API_PATH_KEY = "polyworker.flowable.external-job-api-path";

  /** How long a start waits for the REST API: 3 minutes. */
  public static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);

  /** A new, not yet started container of {@link #DEFAULT_IMAGE}. */
  public FlowableContainer() {
    this(DockerImageName.parse(DEFAULT_IMAGE));
  }

  /** A new, not yet started container of another tag of the image. */
  public FlowableContainer(DockerImageName image) {
    super(image);
    addExposedPort(HTTP_PORT);
    setWaitStrategy(Wait.forHttp(CONTEXT_PATH + PROCESS_API_PATH + "/management/engine").forPort(HTTP_PORT)
        .withBasicCredentials(USERNAME, PASSWORD).forStatusCode(200).withStartupTimeout(STARTUP_TIMEOUT));
  }

  /** The container shared by every test in this JVM, started on first use, stopped at exit. Do not stop it. */
  public static FlowableContainer shared() {
    return SharedContainers.of(FlowableContainer.class, FlowableContainer::new);
  }

  /** The application's root as the host sees it: {@code http://<host>:<mapped port>/flowable-rest}. */
  public String baseUrl() {
    return "http://" + getHost() + ":" + getMappedPort(HTTP_PORT) + CONTEXT_PATH;
  }

  /** The process REST API: {@code .../flowable-rest/service}. */
  public String processApiUrl() {
    return baseUrl() + PROCESS_API_PATH;
  }

  /** The external worker job REST API: {@code .../flowable-rest/external-job-api}. */
  public String externalJobApiUrl() {
    return baseUrl() + EXTERNAL_JOB_API_PATH;
  }

  /**
   * The engine id {@code flowable}, {@link #baseUrl()}, the admin's credentials (basic auth) and the
   * image's API paths ({@code polyworker.flowable.process-api-path} and {@code .external-job-api-path}
   * of the Flowable engine module).
   */
  @Override
  public EngineConfig config() {
    return EngineConfig.fromMap(Map.of(
        EngineConfig.ENGINE, "flowable",
        EngineConfig.URL, baseUrl(),
        EngineConfig.USERNAME, USERNAME,
        EngineConfig.PASSWORD, PASSWORD,
        PROCESS_API_PATH_KEY, PROCESS_API_PATH,
        EXTERNAL_JOB_API_PATH_KEY, EXTERNAL_JOB_API_PATH));
  }
}
