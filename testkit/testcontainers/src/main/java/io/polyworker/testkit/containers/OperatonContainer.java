package io.polyworker.testkit.containers;

import org.testcontainers.utility.DockerImageName;

/**
 * Operaton, the open fork of Camunda 7, the official image {@value #DEFAULT_IMAGE} (its Spring Boot
 * distribution), for tests: Camunda 7's REST API at {@code /engine-rest} (no authentication) and an
 * H2 database, reached by the Camunda engine module (engine id {@code camunda}). The stand-in for
 * {@link io.polyworker.testkit.engines.LocalOperaton}: {@code EngineEndpoint operaton = OperatonContainer.shared();}.
 *
 * <p>Ready when {@code GET /engine-rest/version} answers 200. Needs a Docker engine.
 */
public final class OperatonContainer extends CamundaRestContainer<OperatonContainer> {

  /** The image this container runs unless told otherwise: Operaton 1.0.3, the version the project tests. */
  public static final String DEFAULT_IMAGE = "operaton/operaton:1.0.3";

  /** A new, not yet started container of {@link #DEFAULT_IMAGE}. */
  public OperatonContainer() {
    this(DockerImageName.parse(DEFAULT_IMAGE));
  }

  /** A new, not yet started container of another tag of the image. */
  public OperatonContainer(DockerImageName image) {
    super(image);
  }

  /** The container shared by every test in this JVM, started on first use, stopped at exit. Do not stop it. */
  public static OperatonContainer shared() {
    return SharedContainers.of(OperatonContainer.class, OperatonContainer::new);
  }
}
