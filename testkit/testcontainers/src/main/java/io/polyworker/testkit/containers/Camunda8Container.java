package io.polyworker.testkit.containers;

import io.polyworker.engine.EngineConfig;
import io.polyworker.testkit.engines.EngineEndpoint;
import java.net.URI;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.containers.wait.strategy.WaitAllStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * Camunda 8, the orchestration cluster image {@value #DEFAULT_IMAGE}, as one container for tests:
 * a single Zeebe broker with its embedded gateway, gRPC on {@value #GRPC_PORT}, the REST API on
 * {@value #REST_PORT} and the monitoring endpoints on {@value #MONITORING_PORT}. The stand-in for
 * {@link io.polyworker.testkit.engines.LocalZeebe} where a test should meet a real broker:
 *
 * <pre>{@code
 * EngineEndpoint zeebe = Camunda8Container.shared();   // was LocalZeebe.shared()
 * try (Engine engine = Engines.fromConfig(zeebe.config())) { ... }
 * }</pre>
 *
 * <p>It runs without secondary storage, so without Elasticsearch and without Operate, Tasklist,
 * Identity and the search endpoints of the REST API: Spring profile {@code broker} only,
 * {@code CAMUNDA_DATA_SECONDARYSTORAGE_TYPE=none}. Basic authentication needs the user data of a
 * secondary storage, so the API is unprotected ({@code CAMUNDA_SECURITY_AUTHENTICATION_UNPROTECTEDAPI=true})
 * and authorizations are off ({@code CAMUNDA_SECURITY_AUTHORIZATIONS_ENABLED=false}); the gateway is
 * plaintext. What a job worker uses (deploy, start, activate and stream jobs, complete, fail, throw
 * errors, create with result, publish messages) needs only the engine.
 *
 * <p>Ready when both answer: {@code GET /actuator/health/readiness} on the monitoring port with 200
 * (the broker has installed its partition) and {@code GET /v2/topology} on the REST port naming a
 * healthy leader (a ready broker need not lead its partition yet; before that, commands are refused).
 * Needs a Docker engine.
 */
public final class Camunda8Container extends GenericContainer<Camunda8Container> implements EngineEndpoint {

  /** The image this container runs unless told otherwise: the 8.8 line, the patch of the in-memory test engine. */
  public static final String DEFAULT_IMAGE = "camunda/camunda:8.8.21";

  /** The gRPC gateway's port inside the container. */
  public static final int GRPC_PORT = 26500;

  /** The REST API's port inside the container. */
  public static final int REST_PORT = 8080;

  /** The monitoring (actuator) port inside the container. */
  public static final int MONITORING_PORT = 9600;

  /** How long a start waits for the broker: 3 minutes. */
  public static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);

  /** A new, not yet started container of {@link #DEFAULT_IMAGE}. */
  public Camunda8Container() {
    this(DockerImageName.parse(DEFAULT_IMAGE));
  }

  /** A new, not yet started container of another tag of the image (8.8 or later: the settings are 8.8's). */
  public Camunda8Container(DockerImageName image) {
    super(image);
    addExposedPorts(GRPC_PORT, REST_PORT, MONITORING_PORT);
    addEnv("SPRING_PROFILES_ACTIVE", "broker");
    addEnv("CAMUNDA_DATA_SECONDARYSTORAGE_TYPE", "none");
    addEnv("CAMUNDA_SECURITY_AUTHENTICATION_UNPROTECTEDAPI", "true");
    addEnv("CAMUNDA_SECURITY_AUTHORIZATIONS_ENABLED", "false");
    setWaitStrategy(new WaitAllStrategy(WaitAllStrategy.Mode.WITH_OUTER_TIMEOUT)
        .withStrategy(Wait.forHttp("/actuator/health/readiness").forPort(MONITORING_PORT).forStatusCode(200))
        .withStrategy(Wait.forHttp("/v2/topology").forPort(REST_PORT).forStatusCode(200)
            .forResponsePredicate(Camunda8Container::leadsHealthily))
        .withStartupTimeout(STARTUP_TIMEOUT));
  }

  /** The container shared by every test in this JVM, started on first use, stopped at exit. Do not stop it. */
  public static Camunda8Container shared() {
    return SharedContainers.of(Camunda8Container.class, Camunda8Container::new);
  }

  /** {@code true} when a topology answer names a leader and calls it healthy (one broker, one partition). */
  static boolean leadsHealthily(String topology) {
    String compact = topology.replaceAll("\\s", "");
    return compact.contains("\"role\":\"leader\"") && compact.contains("\"health\":\"healthy\"");
  }

  /** The gRPC gateway as {@code host:port}, as the host sees it. */
  public String gatewayAddress() {
    return getHost() + ":" + getMappedPort(GRPC_PORT);
  }

  /** The gRPC gateway as a URI for {@code grpcAddress(..)}: {@code http://<host>:<port>} (plaintext). */
  public URI grpcUri() {
    return URI.create("http://" + gatewayAddress());
  }

  /** The REST API's root, {@code http://<host>:<port>} (Polyworker does not use it). */
  public URI restUri() {
    return URI.create("http://" + getHost() + ":" + getMappedPort(REST_PORT));
  }

  /** The engine id {@code zeebe} and {@link #grpcUri()}, plaintext; no credentials (the API is unprotected). */
  @Override
  public EngineConfig config() {
    return EngineEndpoint.zeebePlaintext(grpcUri());
  }
}
