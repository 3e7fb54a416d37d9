package io.polyworker.testkit.engines;

import io.polyworker.engine.EngineConfig;
import java.nio.file.Path;

/**
 * A local engine of the Camunda 7 family: Camunda 7 itself ({@link LocalCamunda}) or its open fork
 * Operaton ({@link LocalOperaton}). They share the REST API at {@code /engine-rest}, so they share
 * the launch command, the readiness probe, the REST URL and the {@link CamundaHistory} view; each
 * subclass names its server jar and its factory methods.
 */
public abstract class CamundaRestEngine extends LocalEngine implements EngineEndpoint {

  private final CamundaHistory history = CamundaHistory.of(this);

  /**
   * @param name a short name for messages and logs, e.g. {@code "Operaton"}
   * @param server the server name for {@link ServerJars#find(String)}, e.g. {@code "operaton-server"}
   */
  CamundaRestEngine(String name, String server, Path dataDirectory, boolean temporary) {
    super(name, server, dataDirectory, temporary);
  }

  /** The REST base URL, {@code http://127.0.0.1:<port>/engine-rest}, without a trailing slash. */
  public String restUrl() {
    return "http://127.0.0.1:" + port() + "/engine-rest";
  }

  /** The engine id {@code camunda} and {@link #restUrl()}; there is no authentication. */
  @Override
  public EngineConfig config() {
    return EngineEndpoint.camundaRest(restUrl());
  }

  /** What this engine recorded (history, incidents, external task log), read through its REST API. */
  public CamundaHistory history() {
    return history;
  }

  @Override
  protected boolean isReady(int port) throws Exception {
    return httpGetOk("http://127.0.0.1:" + port + "/engine-rest/engine",
        body -> body.trim().startsWith("[") && body.contains("\"default\""));
  }
}
