package io.polyworker.testkit.zeebe.server;

import io.polyworker.testkit.server.ChildProtocol;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one in-memory Zeebe 8.8 engine until killed. Needs a Java 21+ runtime:
 * <pre>
 * java -jar polyworker-testkit-zeebe-server-&lt;version&gt;-exec.jar
 *     [--polyworker.port=26500]              gateway port (alias --port); 0 (default) = a free port chosen here
 *     [--polyworker.port-file=PATH]          gateway port written here when ready
 *     [--polyworker.control-port-file=PATH]  control endpoint port written here, just before the port file;
 *                                            default: control.port next to the port file
 *     [--polyworker.data-dir=DIR]            the engine's own log goes to DIR/zeebe-engine.log (else stderr)
 *     [--polyworker.parent-pid=PID]          exit when that process is gone
 *     [--polyworker.bind-address=127.0.0.1]  address of the gateway (0.0.0.0 = all interfaces)
 *     [--polyworker.control-port=0]          port of the HTTP control endpoint, always on loopback
 * </pre>
 * Arguments are {@code --name=value} or {@code --name value}. This follows the child protocol of
 * {@code io.polyworker.testkit.engines.LocalEngine}: the port file holds only the gateway port as
 * decimal text.
 *
 * <p>Both port files are written through a temporary file and a rename, only after the gateway accepts
 * connections and the control endpoint ({@link ControlServer}) answers, so the port file's existence
 * means ready. Start-up failures are printed to stderr and end the JVM with status 1.
  * The engine keeps everything in memory: a restarted server starts empty.
 */
public final class ZeebeTestServer {

  private static final int PORT_ATTEMPTS = 5;

  private ZeebeTestServer() {
  }

  public static void main(String[] args) {
    try {
      run(parse(args));
    } catch (Throwable e) {
      // The engine's actor threads would keep a half-started JVM alive: make the failure final.
      System.err.println("Zeebe test server failed to start:");
      e.printStackTrace(System.err);
      System.exit(1);
    }
    awaitExit();
  }

  private static void run(Map<String, String> options) throws IOException {
    long started = System.nanoTime();
    Optional<Path> dataDir = Optional.ofNullable(options.get("polyworker.data-dir")).map(Path::of);
    configureLogging(dataDir);
    System.setProperty(LoopbackServerProvider.BIND_ADDRESS_PROPERTY,
        options.getOrDefault("polyworker.bind-address", "127.0.0.1"));
    Optional.ofNullable(options.get("polyworker.parent-pid")).map(Long::parseLong).ifPresent(ChildProtocol::exitWithParent);

    int requestedPort = Integer.parseInt(options.getOrDefault("polyworker.port", options.getOrDefault("port", "0")));
    Running running = startEngine(requestedPort);
    AtomicBoolean stopping = new AtomicBoolean();
    ControlServer control = ControlServer.start(running.engine(), running.port(), stopping::get,
        Integer.parseInt(options.getOrDefault("polyworker.control-port", "0")));
    Optional<Path> portFile = Optional.ofNullable(options.get("polyworker.port-file")).map(Path::of);
    Optional<Path> controlPortFile = Optional.ofNullable(options.get("polyworker.control-port-file")).map(Path::of)
        .or(() -> portFile.map(file -> file.toAbsolutePath().resolveSibling("control.port")));

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping.set(true);
      portFile.ifPresent(ZeebeTestServer::deleteQuietly);
      controlPortFile.ifPresent(ZeebeTestServer::deleteQuietly);
      control.stop();
      running.engine().stop();
    }, "polyworker-zeebe-shutdown"));

    controlPortFile.ifPresent(file -> ChildProtocol.announcePort(file, control.port()));
    portFile.ifPresent(file -> ChildProtocol.announcePort(file, running.port()));
    System.out.printf("Zeebe engine ready in %d ms: gateway %s:%d (engine reports %s), control http://127.0.0.1:%d%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        System.getProperty(LoopbackServerProvider.BIND_ADDRESS_PROPERTY), running.port(),
        running.engine().gatewayAddress(), control.port());
  }

  /** Until killed or System.exit (parent gone); the shutdown hook stops the engine. */
  private static void awaitExit() {
    try {
      Thread.currentThread().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private record Running(ReflectiveEngine engine, int port) {}

  /**
   * The engine insists on a concrete port. With 0, a free loopback port is picked and released just
   * before the engine binds it; if someone takes it in between, another one is tried.
   */
  private static Running startEngine(int requestedPort) throws IOException {
    for (int attempt = 1; ; attempt++) {
      int port = requestedPort != 0 ? requestedPort : freePort();
      ReflectiveEngine engine = ReflectiveEngine.create(port);
      try {
        engine.start();
        return new Running(engine, port);
      } catch (RuntimeException e) {
        stopQuietly(engine);
        if (requestedPort != 0 || attempt >= PORT_ATTEMPTS || !isBindFailure(e)) {
          throw e;
        }
        System.err.println("Port " + port + " was taken before the engine bound it; trying another");
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  private static void stopQuietly(ReflectiveEngine engine) {
    try {
      engine.stop();
    } catch (RuntimeException suppressed) {
      // already failing; the start failure is the one to report
    }
  }

  /** slf4j-simple is configured through system properties read on first use, so this runs first. */
  private static void configureLogging(Optional<Path> dataDir) throws IOException {
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
    if (dataDir.isPresent()) {
      Files.createDirectories(dataDir.get());
      setDefault("org.slf4j.simpleLogger.logFile", dataDir.get().resolve("zeebe-engine.log").toString());
    }
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // best effort while the JVM goes down
    }
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("Unexpected argument: " + arg + " (use --name=value)");
      }
      int eq = arg.indexOf('=');
      if (eq > 0) {
        options.put(arg.substring(2, eq), arg.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        options.put(arg.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("Argument " + arg + " needs a value");
      }
    }
    return options;
  }
}
