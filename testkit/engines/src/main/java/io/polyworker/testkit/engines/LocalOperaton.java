package io.polyworker.testkit.engines;

import java.nio.file.Path;

/**
 * A real Operaton 1.0 engine, the open fork of Camunda 7, in a child JVM on 127.0.0.1: the same
 * REST API at {@code /engine-rest}, H2 file database, Spin for JSON variables and job executor as
 * {@link LocalCamunda}, and the same lifecycle.
 *
 * <pre>{@code
 * String url = LocalOperaton.shared().restUrl(); // http://127.0.0.1:<port>/engine-rest
 * Engine engine = CamundaEngine.builder().baseUrl(url).build(); // engine id "camunda"
 * }</pre>
 *
 * <p>The server is the jar of {@code polyworker-testkit-operaton-server}, found by {@link ServerJars}.
 * {@link LocalEnginesExtension} injects {@link #shared()} into {@code LocalOperaton} parameters.
 */
public final class LocalOperaton extends CamundaRestEngine {

  /** The server name for {@link ServerJars#find(String)}. */
  static final String SERVER = "operaton-server";

  private LocalOperaton(Path dataDirectory, boolean temporary) {
    super("Operaton", SERVER, dataDirectory, temporary);
  }

  /** A new, not yet started engine whose temporary data directory {@link #close()} deletes. */
  public static LocalOperaton create() {
    return new LocalOperaton(newTemporaryDirectory("polyworker-operaton-"), true);
  }

  /** A new, not yet started engine on {@code dataDirectory}, which outlives it (for restarts on the same data). */
  public static LocalOperaton create(Path dataDirectory) {
    return new LocalOperaton(dataDirectory, false);
  }

  /** The engine of every test in this JVM, started on first use and after a stop; closed at exit, not by tests. */
  public static LocalOperaton shared() {
    return shared(LocalOperaton.class, LocalOperaton::create);
  }
}
