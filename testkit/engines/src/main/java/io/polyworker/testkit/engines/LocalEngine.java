package io.polyworker.testkit.engines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real workflow engine running in a child JVM on a loopback port, for tests and demos.
 *
 * <p>Lifecycle: {@link #start()} launches the child and blocks until the engine answers;
 * {@link #stop()} shuts it down gracefully; {@link #kill()} kills it like a crash (SIGKILL), keeping
 * its data; {@link #restart()} starts it again on the <em>same</em> port and data directory, so a
 * client configured with the old URL keeps working; {@link #close()} stops it and deletes the data
 * directory if this object created it.
 *
 * <p>The child's standard output and error go to {@code engine.log} in the data directory; the
 * last lines are quoted in the exception when the child fails to start. A JVM shutdown hook
 * destroys every child still running, and each child is told the parent's PID so that it can exit
 * by itself when the test JVM dies without running its hooks.
 *
 * <h2>Child protocol</h2>
 * The child is launched with the command of {@link #command(int, Path)}, usually built by
 * {@link #serverCommand}, which passes
 * {@code --polyworker.port=<port or 0> --polyworker.port-file=<file> --polyworker.data-dir=<dir>
 * --polyworker.parent-pid=<pid>}. When it listens, the child writes its actual port as decimal text
 * to the port file, atomically (temporary file, then rename). The launcher then polls
 * {@link #isReady(int)} every {@value #POLL_INTERVAL_MILLIS} ms until it returns {@code true}.
 *
 * <p>Instances are thread-safe: lifecycle methods are synchronized; {@link #isRunning()} and
 * {@link #port()} never wait for them.
 */
public abstract class LocalEngine implements AutoCloseable {

  /** Default for {@link #startTimeout()}: 120 seconds. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(120);

  /** How long {@link #stop()} waits for a graceful exit before killing the child: 20 seconds. */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  static final long POLL_INTERVAL_MILLIS = 50;
  private static final int TAIL_LINES = 50;
  private static final Logger LOG = LoggerFactory.getLogger("io.polyworker.testkit");
  /** The heap of a test server's JVM in the default {@link #command}. */
  static final String DEFAULT_MAX_HEAP = "512m";
  private static final Set<Process> LIVE_CHILDREN = ConcurrentHashMap.newKeySet();
  /** The engines {@link #shared} made, one per kind. */
  private static final Map<Class<?>, LocalEngine> SHARED = new ConcurrentHashMap<>();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2))
      .version(HttpClient.Version.HTTP_1_1)
      .build();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(LocalEngine::destroyAllChildren,
        "polyworker-local-engines-shutdown"));
  }

  private final String name;
  private final String server; // null: the subclass overrides command()
  private final Path dataDirectory;
  private final boolean temporaryDataDirectory;
  // volatile: isRunning() and port() answer without waiting for a start() in progress
  private volatile Process process;
  private volatile int port;
  private boolean closed;

  /**
   * @param name a short name for messages and logs, e.g. {@code "Camunda 7"}
   * @param dataDirectory where the engine keeps its database, port file and log; created if missing
   * @param temporaryDataDirectory {@code true} if {@link #close()} should delete {@code dataDirectory}
   */
  protected LocalEngine(String name, Path dataDirectory, boolean temporaryDataDirectory) {
    this(name, null, dataDirectory, temporaryDataDirectory);
  }

  /**
   * An engine whose child runs the test server {@code server} (a name for {@link ServerJars#find})
   * on the tests' JVM with {@value #DEFAULT_MAX_HEAP} of heap: the default {@link #command}.
   */
  protected LocalEngine(String name, String server, Path dataDirectory, boolean temporaryDataDirectory) {
    this.server = server;
    this.name = Objects.requireNonNull(name, "name");
    this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory").toAbsolutePath();
    this.temporaryDataDirectory = temporaryDataDirectory;
  }

  /** A new temporary directory for an engine's data, for subclasses' {@code create()} factories. */
  protected static Path newTemporaryDirectory(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary data directory", e);
    }
  }

  // ---------------------------------------------------------------- subclass contract

  /**
   * The command line of the child JVM; by default the test server named to the constructor, on
   * {@link JavaRuntimes#current()} (see {@link #serverCommand}).
   *
   * @param port the port to listen on; {@code 0} on the first start (any free port), the port of
   *     the first start afterwards
   * @param portFile where the child writes its port when it listens
   */
  protected List<String> command(int port, Path portFile) {
    if (server == null) {
      throw new IllegalStateException(name + " names no test server: override command(port, portFile)");
    }
    return serverCommand(JavaRuntimes.current(), DEFAULT_MAX_HEAP, server, port, portFile);
  }

  /**
   * One readiness probe of the engine listening on {@code port}; called repeatedly until it
   * returns {@code true} or the start times out. Exceptions count as "not ready yet".
   */
  protected abstract boolean isReady(int port) throws Exception;

  /** How long {@link #start()} waits for readiness; {@link #DEFAULT_START_TIMEOUT} unless overridden. */
  protected Duration startTimeout() {
    return DEFAULT_START_TIMEOUT;
  }

  /**
   * The command that runs a test server's jar on {@code java} with the given heap, serial GC and
   * UTF-8, followed by the arguments of the child protocol (see the class comment). Mutable: an engine
   * may append arguments of its own.
   *
   * @param server the server name for {@link ServerJars#find(String)}
   */
  protected final List<String> serverCommand(Path java, String maxHeap, String server, int port,
      Path portFile) {
    return new ArrayList<>(List.of(java.toString(), "-Xmx" + maxHeap, "-XX:+UseSerialGC",
        "-Dfile.encoding=UTF-8", "-jar", ServerJars.find(server).toString(),
        "--polyworker.port=" + port,
        "--polyworker.port-file=" + portFile,
        "--polyworker.data-dir=" + dataDirectory,
        "--polyworker.parent-pid=" + ProcessHandle.current().pid()));
  }

  /**
   * The engine of this kind shared by every test in this JVM: made by {@code create} on first use
   * and closed by a shutdown hook; started (again, if a test stopped or killed it) on every call.
   */
  protected static <E extends LocalEngine> E shared(Class<E> kind, Supplier<E> create) {
    E engine = kind.cast(SHARED.computeIfAbsent(kind, k -> {
      E made = create.get();
      Runtime.getRuntime().addShutdownHook(new Thread(made::close, "polyworker-shared-engine-shutdown"));
      return made;
    }));
    engine.start();
    return engine;
  }

  /**
   * A readiness helper: {@code true} if a GET of {@code url} answers 200 with a body that
   * satisfies {@code body}.
   */
  protected static boolean httpGetOk(String url, Predicate<String> body) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 && body.test(response.body());
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Starts the engine and blocks until it is ready; does nothing if it is already running. After a
   * {@link #kill()} or {@link #stop()} this starts it again on the same port with the same data.
   *
   * @throws IllegalStateException if the child exits or is not ready within {@link #startTimeout()};
   *     the message quotes the last lines of its output. The child is killed in that case.
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException(name + " engine is closed");
    }
    if (isRunning()) {
      return;
    }
    long startedAt = System.nanoTime();
    try {
      Files.createDirectories(dataDirectory);
      Path portFile = dataDirectory.resolve("engine.port");
      Files.deleteIfExists(portFile);
      Path log = logFile();
      List<String> command = command(port, portFile);
      Files.writeString(log, "\n=== polyworker: starting " + name + ": " + String.join(" ", command) + "\n",
          StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(dataDirectory.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.PIPE);
      process = builder.start();
      LIVE_CHILDREN.add(process);
      Process child = process;
      child.onExit().thenRun(() -> LIVE_CHILDREN.remove(child));
      awaitReady(child, portFile, startedAt);
    } catch (IOException e) {
      destroyQuietly();
      throw new IllegalStateException("Cannot start " + name + ": " + e + lastLinesMessage(), e);
    } catch (RuntimeException | Error e) {
      destroyQuietly();
      throw e;
    }
    LOG.info("{} ready on port {} in {} ms (data: {})", name, port,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt), dataDirectory);
  }

  private void awaitReady(Process child, Path portFile, long startedAt) {
    long deadline = startedAt + startTimeout().toNanos();
    int actualPort = 0;
    Exception lastProbeFailure = null;
    while (true) {
      if (!child.isAlive()) {
        throw new IllegalStateException(name + " exited with code " + child.exitValue()
            + " before it was ready" + lastLinesMessage());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(name + " not ready within " + startTimeout().toSeconds() + " s"
            + (actualPort == 0 ? " (it never wrote its port file " + portFile + ")" : " on port " + actualPort)
            + (lastProbeFailure == null ? "" : "; last readiness probe: " + lastProbeFailure)
            + lastLinesMessage());
      }
      if (actualPort == 0) {
        actualPort = readPortFile(portFile);
      }
      if (actualPort != 0) {
        try {
          if (isReady(actualPort)) {
            port = actualPort;
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for " + name, e);
        } catch (Exception e) {
          lastProbeFailure = e;
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_INTERVAL_MILLIS));
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for " + name);
      }
    }
  }

  private static int readPortFile(Path portFile) {
    try {
      String text = Files.readString(portFile, StandardCharsets.UTF_8).trim();
      return text.isEmpty() ? 0 : Integer.parseInt(text);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException | NumberFormatException e) {
      return 0; // written atomically, so this is unexpected; try again on the next poll
    }
  }

  /**
   * Stops the engine gracefully (SIGTERM), waiting up to {@link #STOP_TIMEOUT} before killing it.
   * Data is kept. Does nothing if it is not running.
   */
  public synchronized void stop() {
    if (process != null) {
      process.destroy();
      reap();
    }
  }

  /**
   * Kills the engine at once (SIGKILL), like a crash, and waits until the process is gone. Data
   * written before is kept. Does nothing if it is not running.
   */
  public synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      reap();
    }
  }

  /** Waits for the signalled child to exit, killing it after {@link #STOP_TIMEOUT}, and forgets it. */
  private void reap() {
    Process child = process;
    try {
      if (!child.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("{} did not stop within {} s; killing it", name, STOP_TIMEOUT.toSeconds());
        child.destroyForcibly();
        child.waitFor();
      }
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      LIVE_CHILDREN.remove(child);
      process = null;
    }
  }


  /**
   * Stops the engine if it runs, then starts it again on the same port with the same data
   * directory, blocking until it is ready.
   */
  public synchronized void restart() {
    stop();
    start();
  }

  /** {@code true} while the child process is alive (it may not be ready yet during {@link #start()}). */
  public boolean isRunning() {
    Process child = process;
    return child != null && child.isAlive();
  }

  /**
   * The engine's port on 127.0.0.1, fixed by the first successful {@link #start()}.
   *
   * @throws IllegalStateException if the engine was never started
   */
  public int port() {
    int current = port;
    if (current == 0) {
      throw new IllegalStateException(name + " was never started: call start() first");
    }
    return current;
  }

  /** The child process while it runs, for tests of this package; {@code null} otherwise. */
  ProcessHandle processHandle() {
    Process child = process;
    return child == null ? null : child.toHandle();
  }

  /** The directory holding the engine's database, port file and {@link #logFile() log}. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** The file that receives the child's standard output and error. */
  public Path logFile() {
    return dataDirectory.resolve("engine.log");
  }

  /**
   * Stops the engine and, if this object created its data directory, deletes that directory.
   * Later calls to {@link #start()} fail.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    if (temporaryDataDirectory) {
      EngineFiles.deleteRecursively(dataDirectory);
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + name + ", port=" + port + ", running=" + isRunning()
        + ", data=" + dataDirectory + "]";
  }

  // ---------------------------------------------------------------- helpers

  private void destroyQuietly() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      LIVE_CHILDREN.remove(process);
      process = null;
    }
  }

  private String lastLinesMessage() {
    List<String> lines = EngineFiles.tail(logFile(), TAIL_LINES);
    if (lines.isEmpty()) {
      return " (no output in " + logFile() + ")";
    }
    return "\nLast " + lines.size() + " lines of " + logFile() + ":\n  " + String.join("\n  ", lines);
  }

  private static void destroyAllChildren() {
    for (Process child : LIVE_CHILDREN) {
      child.destroy();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Process child : LIVE_CHILDREN) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !child.waitFor(left, TimeUnit.NANOSECONDS)) {
          child.destroyForcibly();
        }
      } catch (InterruptedException e) {
        child.destroyForcibly();
      }
    }
  }
}
