package io.polyworker.testkit.containers;

import io.polyworker.engine.EngineConfig;
import io.polyworker.testkit.engines.EngineEndpoint;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A container of the Camunda 7 family: {@link CamundaContainer} (Camunda 7 Run) or
 * {@link OperatonContainer}. Both images serve Camunda 7's REST API at {@code /engine-rest} on port
 * {@value #HTTP_PORT}, without authentication, so they share the readiness check (a 200 answer to
 * {@code GET /engine-rest/version}), the REST URL and the engine id {@code camunda}.
 *
 * @param <SELF> the container class, as Testcontainers' fluent setters return it
 */
public abstract class CamundaRestContainer<SELF extends CamundaRestContainer<SELF>> extends GenericContainer<SELF>
    implements EngineEndpoint {

  /** The port the REST API listens on inside the container. */
  public static final int HTTP_PORT = 8080;

  /** How long a start waits for the REST API: 3 minutes (a cold JVM on a busy CI machine). */
  public static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);

  protected CamundaRestContainer(DockerImageName image) {
    super(image);
    addExposedPort(HTTP_PORT);
    setWaitStrategy(Wait.forHttp("/engine-rest/version").forPort(HTTP_PORT).forStatusCode(200)
        .withStartupTimeout(STARTUP_TIMEOUT));
  }

  /** The REST base URL as the host sees it, {@code http://<host>:<mapped port>/engine-rest}. */
  public String restUrl() {
    return "http://" + getHost() + ":" + getMappedPort(HTTP_PORT) + "/engine-rest";
  }

  /** The engine id {@code camunda} and {@link #restUrl()}; the images' REST API has no authentication. */
  @Override
  public EngineConfig config() {
    return EngineEndpoint.camundaRest(restUrl());
  }
}
