package io.polyworker.testkit.engines;

import java.nio.file.Path;

/**
 * A real Camunda 7.24 engine (REST API, H2 file database, Spin for JSON variables, job executor on)
 * in a child JVM on 127.0.0.1.
 *
 * <pre>{@code
 * try (LocalCamunda camunda = LocalCamunda.create()) {
 *   camunda.start();                // ~10 s
 *   String url = camunda.restUrl(); // http://127.0.0.1:<port>/engine-rest
 * }
 * }</pre>
 *
 * <p>Most tests share one server per JVM: {@link #shared()}, or a {@code LocalCamunda} parameter
 * with {@link LocalEnginesExtension}. The server runs the JVM of the tests ({@link JavaRuntimes#current()})
 * with the jar of {@code polyworker-testkit-camunda-server} found by {@link ServerJars}. There is no
 * authentication; no process is deployed. {@link LocalOperaton} is the same for Operaton, the open fork.
 */
public final class LocalCamunda extends CamundaRestEngine {

  /** The server name for {@link ServerJars#find(String)}. */
  static final String SERVER = "camunda-server";

  private LocalCamunda(Path dataDirectory, boolean temporary) {
    super("Camunda 7", SERVER, dataDirectory, temporary);
  }

  /** A new, not yet started engine with a temporary data directory, deleted by {@link #close()}. */
  public static LocalCamunda create() {
    return new LocalCamunda(newTemporaryDirectory("polyworker-camunda-"), true);
  }

  /**
   * A new, not yet started engine keeping its data in {@code dataDirectory} (created if missing,
   * never deleted), so that a later engine on the same directory sees the same deployments and instances.
   */
  public static LocalCamunda create(Path dataDirectory) {
    return new LocalCamunda(dataDirectory, false);
  }

  /**
   * The engine shared by all tests in this JVM: started on first use (and started again if a test
   * stopped or killed it), stopped and deleted by a shutdown hook. Do not {@link #close()} it.
   */
  public static LocalCamunda shared() {
    return shared(LocalCamunda.class, LocalCamunda::create);
  }
}
