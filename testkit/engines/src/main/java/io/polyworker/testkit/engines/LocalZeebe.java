package io.polyworker.testkit.engines;

import io.polyworker.engine.EngineConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A real Zeebe 8.8 engine (the in-memory engine of {@code zeebe-process-test}) in a child JVM, its gRPC
 * gateway on 127.0.0.1, for tests: the {@code polyworker-testkit-zeebe-server} fat jar.
 *
 * <p>The engine is Java 21 bytecode, so the child runs on a Java 21+ runtime found by
 * {@link JavaRuntimes#findJava(int)} even when the tests run on Java 17; without one, {@link #start()}
 * fails with a message saying what to install (or set system property
 * {@value JavaRuntimes#JAVA_HOME_OVERRIDE_PROPERTY}).
 *
 * <p>What it serves, without authentication:
 * <ul>
 *   <li>{@link #gatewayAddress()} / {@link #grpcUri()} — the Zeebe gRPC gateway (plaintext). There is no
 *       REST API: a Camunda/Zeebe client must prefer gRPC, e.g.
 *       {@code ZeebeClient.newClientBuilder().grpcAddress(zeebe.grpcUri()).usePlaintext().preferRestOverGrpc(false)};</li>
 *   <li>{@link #controlUrl()} — a small HTTP endpoint of the test server, wrapped by {@link #records()}
 *       (the engine's whole record log, to assert on process instance states, variables, incidents) and
 *       {@link #increaseTime(Duration)} (the engine clock; it otherwise follows real time).</li>
 * </ul>
 *
 * <p>Unlike the other local engines, <b>no data survives a {@link #stop()}, {@link #kill()} or
 * {@link #restart()}</b>: the engine keeps its state and log in memory. A restart comes back on the same
 * gateway port (clients keep working after they reconnect) with no deployments, instances or records.
 *
 * <pre>{@code
 * try (LocalZeebe zeebe = LocalZeebe.create()) {
 *   zeebe.start();                        // ~3-6 s
 *   URI grpc = zeebe.grpcUri();           // http://127.0.0.1:<port>
 *   List<String> records = zeebe.records();
 * }
 * }</pre>
 *
 * <p>Most tests share one engine per JVM: {@link #shared()}, or a {@code LocalZeebe} parameter with
 * {@link LocalEnginesExtension}. Nothing is deployed. Thread-safe.
 */
public final class LocalZeebe extends LocalEngine implements EngineEndpoint {

  /** The server name for {@link ServerJars#find(String)}. */
  static final String SERVER = "zeebe-server";

  /** The Java feature version the engine needs. */
  static final int MINIMUM_JAVA = 21;

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2))
      .version(HttpClient.Version.HTTP_1_1)
      .build();

  private final ZeebeRecords recordLog = new ZeebeRecords(this);
  private volatile int controlPort;

  private LocalZeebe(Path dataDirectory, boolean temporary) {
    super("Zeebe 8.8", dataDirectory, temporary);
  }

  /**
   * A new, not yet started engine. Its temporary directory (port files, child log) is deleted by
   * {@link #close()}.
   */
  public static LocalZeebe create() {
    return new LocalZeebe(newTemporaryDirectory("polyworker-zeebe-"), true);
  }

  /**
   * The engine shared by all tests in this JVM: started on first use (and started again, empty, if a
   * test stopped or killed it), stopped by a shutdown hook. Do not {@link #close()} it; fault tests use
   * their own {@link #create()}. Tests sharing it see each other's records: filter by your own keys.
   */
  public static LocalZeebe shared() {
    return shared(LocalZeebe.class, LocalZeebe::create);
  }

  /** The gateway as {@code host:port}: {@code 127.0.0.1:<port>}. */
  public String gatewayAddress() {
    return "127.0.0.1:" + port();
  }

  /** The gateway as a URI for {@code grpcAddress(..)}: {@code http://127.0.0.1:<port>} (plaintext). */
  public URI grpcUri() {
    return URI.create("http://" + gatewayAddress());
  }

  /** The engine id {@code zeebe} and {@link #grpcUri()}, plaintext: the gateway has no TLS and no authentication. */
  @Override
  public EngineConfig config() {
    return EngineEndpoint.zeebePlaintext(grpcUri());
  }

  /**
   * The test server's control endpoint, {@code http://127.0.0.1:<port>} without a trailing slash:
   * {@code GET /health}, {@code GET /records[?from=N]} (JSON lines), {@code POST /clock/increase?millis=N}.
   * Its port changes on every start.
   *
   * @throws IllegalStateException if the engine is not running
   */
  public String controlUrl() {
    int current = controlPort;
    if (current == 0 || !isRunning()) {
      throw new IllegalStateException("Zeebe engine is not running: call start() first");
    }
    return "http://127.0.0.1:" + current;
  }

  /**
   * Every record the engine has written since it started, oldest first, each one line of JSON as the
   * engine renders it ({@code Record.toJson()}): commands, events and rejections of every value type, e.g.
   * <pre>{@code
   * {"valueType":"PROCESS_INSTANCE","key":2251799813685251,"position":12,"timestamp":1795294186454,
   *  "recordType":"EVENT","intent":"ELEMENT_COMPLETED","partitionId":1,"rejectionType":"NULL_VAL",...,
   *  "value":{"bpmnProcessId":"p","version":1,"processDefinitionKey":...,"processInstanceKey":...,
   *           "elementId":"p","bpmnElementType":"PROCESS",...}}
   * }</pre>
   * Fetched fresh on every call; the log only grows, so polling with Awaitility is the way to wait for
   * an outcome.
   *
   * @throws IllegalStateException if the engine is not running
   * @throws java.io.UncheckedIOException if the control endpoint does not answer
   */
  public List<String> records() {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(controlUrl() + "/records")).GET());
    return response.body().lines().filter(line -> !line.isBlank()).collect(Collectors.toList());
  }

  /** The record log as a parsed, queryable view. */
  public ZeebeRecords recordLog() {
    return recordLog;
  }

  /**
   * Moves the engine clock forward by {@code duration}, so timers, job timeouts and retry backoffs due
   * within it fire now.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   * @throws IllegalStateException if the engine is not running or refuses
   */
  public void increaseTime(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration < 0: " + duration);
    }
    send(HttpRequest.newBuilder(URI.create(controlUrl() + "/clock/increase?millis=" + duration.toMillis()))
        .POST(HttpRequest.BodyPublishers.noBody()));
  }

  @Override
  protected List<String> command(int port, Path portFile) {
    List<String> command = serverCommand(JavaRuntimes.findJava(MINIMUM_JAVA), "1g", SERVER, port, portFile);
    command.add("--polyworker.control-port-file=" + controlPortFile());
    return command;
  }

  /**
   * Ready when the gateway port accepts TCP connections and the control endpoint says the engine has
   * started with that gateway port. No gRPC client needed.
   */
  @Override
  protected boolean isReady(int port) throws Exception {
    controlPort = 0;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
    }
    int control = readControlPort();
    if (control == 0) {
      return false;
    }
    boolean ready = httpGetOk("http://127.0.0.1:" + control + "/health",
        body -> body.contains("\"status\":\"started\"") && body.contains("\"gatewayPort\":" + port + "}"));
    if (ready) {
      controlPort = control;
    }
    return ready;
  }

  private Path controlPortFile() {
    return dataDirectory().resolve("control.port");
  }

  private int readControlPort() throws IOException {
    try {
      String text = Files.readString(controlPortFile(), StandardCharsets.US_ASCII).trim();
      return text.isEmpty() ? 0 : Integer.parseInt(text);
    } catch (NoSuchFileException e) {
      return 0;
    }
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
    try {
      HttpResponse<String> response = HTTP.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (response.statusCode() != 200) {
        throw new IllegalStateException(built.method() + " " + built.uri() + " answered " + response.statusCode()
            + ": " + response.body());
      }
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(built.method() + " " + built.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted during " + built.method() + " " + built.uri(), e);
    }
  }
}
