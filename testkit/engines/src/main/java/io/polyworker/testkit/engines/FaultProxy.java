package io.polyworker.testkit.engines;

import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import javax.net.ServerSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on 127.0.0.1 that sits between a worker and an engine and injects network faults on
 * command: it cuts connections, refuses new ones, adds latency, stalls answers part-way, and resets
 * requests part-way. It forwards bytes without looking at them, so it works for HTTP/1.1 (Camunda,
 * Flowable) and for gRPC over HTTP/2 (Zeebe) alike; only the {@code ...Containing(marker)} faults
 * and {@link #count(String)} read the bytes, and they are meant for HTTP/1.1, whose request lines
 * are plain text (HTTP/2 compresses its headers).
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.to(camunda.port())) {
 *   Engine engine = CamundaEngine.builder().baseUrl(proxy.httpUrl() + "/engine-rest").build();
 *   proxy.cutConnections();                          // every open connection is reset
 *   proxy.refuseConnections(FaultProxy.Refusal.CLOSE_PORT);   // connection refused from now on
 *   ...
 *   proxy.heal();                                    // back to a faithful pipe
 * }
 * }</pre>
 *
 * <p>Faults, all in effect until {@link #heal()} (or their own undo method):
 * <ul>
 *   <li>{@link #cutConnections()} resets (TCP RST) every open connection, once;</li>
 *   <li>{@link #refuseConnections(Refusal)} refuses new connections, by closing the listening port
 *       ({@link Refusal#CLOSE_PORT}: the client sees "connection refused") or by accepting and
 *       resetting at once ({@link Refusal#RESET}); open connections are left alone;</li>
 *   <li>{@link #latency(Duration)} delays every chunk of bytes, in both directions;</li>
 *   <li>{@link #stallResponsesAfter(long)} stops forwarding engine-to-worker bytes on every
 *       connection once that many more have passed (the rest is read and dropped), so the worker
 *       waits for an answer that never completes;</li>
 *   <li>{@link #resetRequestsAfter(long)} resets every connection once that many more
 *       worker-to-engine bytes have passed, in the middle of a request;</li>
 *   <li>{@link #resetRequestsContaining(String, int)} resets the connection instead of forwarding a
 *       request chunk that contains a marker (the engine never sees that request), and
 *       {@link #resetResponsesTo(String, int)} forwards such a request but resets the connection
 *       instead of forwarding its answer (the engine acted, the worker never hears of it).</li>
 * </ul>
 * When the engine itself cannot be reached, a new connection is reset at once, as a real engine
 * that is down would do.
 *
 * <p>Thread-safe. Two platform threads per open connection and one accepting thread, all daemon
 * threads named {@code fault-proxy-<port>-...}; {@link #close()} resets every connection and waits
 * for every thread to end.
 */
public class FaultProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("io.polyworker.testkit.proxy");

  /** How {@link #refuseConnections(Refusal)} turns new connections away. */
  public enum Refusal {
    /** Close the listening socket: connecting fails with "connection refused". */
    CLOSE_PORT,
    /** Accept, then reset at once: the client's first read or write fails with "connection reset". */
    RESET
  }

  // This class is the facade: FaultRules holds the faults on the bytes and the marker counters,
  // ProxyConnections listens, accepts and connects, and each ProxyLink pumps one connection's bytes.
  private final FaultRules rules = new FaultRules();
  private final ProxyConnections connections;

  /**
   * Starts a proxy on a free port of 127.0.0.1 to {@code 127.0.0.1:targetPort}.
   *
   * @throws UncheckedIOException if no port can be bound
   */
  public static FaultProxy to(int targetPort) {
    return to("127.0.0.1", targetPort);
  }

  /** Starts a proxy on a free port of 127.0.0.1 to {@code targetHost:targetPort} (keep it on loopback in tests). */
  public static FaultProxy to(String targetHost, int targetPort) {
    return new FaultProxy(targetHost, targetPort, ServerSocketFactory.getDefault(), socket -> { });
  }

  /**
   * For subclasses such as {@link TlsTerminator}: the listening sockets come from
   * {@code serverSockets}, and {@code onAccept} runs on each accepted socket (on its connection's
   * thread, before any byte is forwarded); an exception there closes the connection.
   */
  FaultProxy(String targetHost, int targetPort, ServerSocketFactory serverSockets, Consumer<Socket> onAccept) {
    if (targetPort < 1 || targetPort > 65_535) {
      throw new IllegalArgumentException("targetPort out of range: " + targetPort);
    }
    Objects.requireNonNull(targetHost, "targetHost");
    this.connections = new ProxyConnections(targetHost, targetPort, serverSockets, onAccept, rules);
    LOG.debug("fault proxy 127.0.0.1:{} -> {}:{} started", connections.port, targetHost, targetPort);
  }

  // ---------------------------------------------------------------- where it listens

  /** The port the proxy listens on (on 127.0.0.1); it stays the same across refusals. */
  public int port() {
    return connections.port;
  }

  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  public String httpUrl() {
    return "http://127.0.0.1:" + connections.port;
  }

  /** The engine address the proxy forwards to, {@code host:port}. */
  public String target() {
    return connections.target();
  }

  // ---------------------------------------------------------------- faults

  /** Resets (TCP RST) every open connection, in both directions. New connections are accepted as before. */
  public void cutConnections() {
    connections.cutAll();
  }

  /** Turns new connections away, as {@code how} says, until {@link #acceptConnections()} or {@link #heal()}. */
  public void refuseConnections(Refusal how) {
    Objects.requireNonNull(how, "how");
    connections.refuse(how);
  }

  /**
   * Accepts new connections again. After {@link Refusal#CLOSE_PORT} the port is bound again; the
   * rare case that another process took it meanwhile fails with an {@link UncheckedIOException}.
   */
  public void acceptConnections() {
    connections.acceptAgain();
  }

  /** Delays every chunk of bytes by {@code delay} before forwarding it, in both directions; zero for none. */
  public void latency(Duration delay) {
    rules.latency(delay);
  }

  /**
   * On every connection, open or new, forwards at most {@code bytes} more engine-to-worker bytes and
   * then stops forwarding (reading and dropping the rest), so that an answer stops part-way.
   * {@link #heal()} resets the stalled connections, whose byte streams are broken.
   */
  public void stallResponsesAfter(long bytes) {
    rules.stallResponsesAfter(bytes);
  }

  /** On every connection, open or new, resets the connection once {@code bytes} more worker-to-engine bytes have passed. */
  public void resetRequestsAfter(long bytes) {
    rules.resetRequestsAfter(bytes);
  }

  /**
   * The next {@code times} worker-to-engine chunks containing {@code marker} (such as
   * {@code "/complete "} for an HTTP request line) are not forwarded: the connection is reset
   * instead, so the engine never sees the request. HTTP/1.1 only.
   */
  public void resetRequestsContaining(String marker, int times) {
    rules.addMarkerRule(marker, times, false);
  }

  /**
   * The next {@code times} worker-to-engine chunks containing {@code marker} are forwarded, and the
   * connection is reset as soon as the engine starts to answer: the engine acted on the request, but
   * the worker never learns the outcome. HTTP/1.1 only.
   */
  public void resetResponsesTo(String marker, int times) {
    rules.addMarkerRule(marker, times, true);
  }

  /**
   * Ends every fault: accepts connections again, no latency, no stall or reset rules. Connections
   * stalled by {@link #stallResponsesAfter(long)} are reset. Counters are kept.
   */
  public void heal() {
    rules.clear();
    connections.resetStalled();
    acceptConnections();
  }

  // ---------------------------------------------------------------- observation

  /**
   * Counts, from now on, the worker-to-engine chunks that contain {@code marker} (for example
   * {@code "/complete "}: every complete request, including those a fault then drops).
   * Calling it again for the same marker keeps the count.
   */
  public void count(String marker) {
    rules.count(marker);
  }

  /** How many worker-to-engine chunks contained {@code marker} since {@link #count(String)}; 0 if not counted. */
  public long counted(String marker) {
    return rules.counted(marker);
  }

  /** Connections open right now. */
  public int openConnections() {
    return connections.openCount();
  }

  /** Connections accepted and forwarded (or attempted to) since the start. */
  public long acceptedConnections() {
    return connections.accepted();
  }

  /** Connections turned away by {@link Refusal#RESET} since the start. */
  public long refusedConnections() {
    return connections.refused();
  }

  /** Connections closed before forwarding because {@code onAccept} failed (TLS handshakes, for {@link TlsTerminator}). */
  public long failedAccepts() {
    return connections.failedAccepts();
  }

  /** Bytes forwarded from workers to the engine. */
  public long bytesToEngine() {
    return connections.bytesToEngine.get();
  }

  /** Bytes forwarded from the engine to workers. */
  public long bytesToWorkers() {
    return connections.bytesToWorker.get();
  }

  /** Live threads of this proxy (acceptor and pumps); zero after {@link #close()}. */
  public int liveThreads() {
    return connections.liveThreads();
  }

  /** Stops listening, resets every connection and waits for the proxy's threads to end. Idempotent. */
  @Override
  public void close() {
    connections.close();
  }

  @Override
  public String toString() {
    Refusal refusal = connections.refusal();
    return getClass().getSimpleName() + "[127.0.0.1:" + connections.port + " -> " + target()
        + ", open=" + connections.openCount() + (refusal != null ? ", refusing=" + refusal : "")
        + (connections.isClosed() ? ", closed" : "") + "]";
  }
}
