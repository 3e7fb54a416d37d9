package io.polyworker.testkit.engines;

import io.polyworker.engine.EngineConfig;
import java.net.URI;
import java.util.Map;

/**
 * A running engine as a test sees it: which Polyworker engine module talks to it, and the settings
 * that module needs to reach it. The local engines of this package implement it, and so do the
 * containers of {@code polyworker-testkit-testcontainers}, so a test written against this type
 * switches between them in one line:
 *
 * <pre>{@code
 * EngineEndpoint camunda = LocalCamunda.shared();   // or CamundaContainer.shared()
 * try (Engine engine = Engines.fromConfig(camunda.config())) {
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #config()} is read when called: call it after the engine has started (the shared
 * engines are started by their {@code shared()} method), as it names the engine's actual port.
 */
public interface EngineEndpoint {

  /**
   * The id of the engine module that talks to this engine, as {@code polyworker.engine} takes it:
   * {@code camunda} (Camunda 7 and Operaton), {@code flowable} or {@code zeebe}; the engine id of
   * {@link #config()}, so, like it, known once the engine has started.
   *
   * @throws IllegalStateException if the engine was never started
   */
  default String engineId() {
    return config().require(EngineConfig.ENGINE);
  }

  /**
   * Everything {@code Engines.fromConfig} needs to reach this engine: the engine id, the URL, and
   * credentials and API paths where the engine has them.
   *
   * @throws IllegalStateException if the engine was never started
   */
  EngineConfig config();

  /** Settings for a Camunda 7 REST API (Camunda 7 or Operaton) at {@code restUrl}, without authentication. */
  static EngineConfig camundaRest(String restUrl) {
    return EngineConfig.fromMap(Map.of(EngineConfig.ENGINE, "camunda", EngineConfig.URL, restUrl));
  }

  /** Settings for a plaintext Zeebe gRPC gateway at {@code grpcUri} ({@code http://host:port}), without authentication. */
  static EngineConfig zeebePlaintext(URI grpcUri) {
    return EngineConfig.fromMap(Map.of(EngineConfig.ENGINE, "zeebe", EngineConfig.URL, grpcUri.toString(),
        "polyworker.zeebe.plaintext", "true"));
  }
}
