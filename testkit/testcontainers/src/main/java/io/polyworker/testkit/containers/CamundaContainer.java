package io.polyworker.testkit.containers;

import org.testcontainers.utility.DockerImageName;

/**
 * Camunda 7 Run, the official image {@value #DEFAULT_IMAGE}, for tests: the engine with its REST API
 * at {@code /engine-rest} (no authentication) and an in-memory H2 database. The stand-in for
 * {@link io.polyworker.testkit.engines.LocalCamunda} where a test should meet the released
 * distribution rather than the test kit's own server:
 *
 * <pre>{@code
 * EngineEndpoint camunda = CamundaContainer.shared();   // was LocalCamunda.shared()
 * try (Engine engine = Engines.fromConfig(camunda.config())) { ... }
 * }</pre>
 *
 * <p>Ready when {@code GET /engine-rest/version} answers 200. Needs a Docker engine.
 */
public final class CamundaContainer extends CamundaRestContainer<CamundaContainer> {

  /** The image this container runs unless told otherwise: Camunda 7.24.0, the Run distribution. */
  public static final String DEFAULT_IMAGE = "camunda/camunda-bpm-platform:run-7.24.0";

  /** A new, not yet started container of {@link #DEFAULT_IMAGE}. */
  public CamundaContainer() {
    this(DockerImageName.parse(DEFAULT_IMAGE));
  }

  /** A new, not yet started container of another tag of the same image (or a compatible one). */
  public CamundaContainer(DockerImageName image) {
    super(image);
  }

  /** The container shared by every test in this JVM, started on first use, stopped at exit. Do not stop it. */
  public static CamundaContainer shared() {
    return SharedContainers.of(CamundaContainer.class, CamundaContainer::new);
  }
}
