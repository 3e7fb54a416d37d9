package io.polyworker.testkit.engines;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
  private static final int BUFFER = 16 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  private static final Duration THREAD_JOIN_TIMEOUT = Duration.ofSeconds(5);

  /** How {@link #refuseConnections(Refusal)} turns new connections away. */
  public enum Refusal {
    /** Close the listening socket: connecting fails with "connection refused". */
    CLOSE_PORT,
    /** Accept, then reset at once: the client's first read or write fails with "connection reset". */
    RESET
  }

  private final String targetHost;
  private final int targetPort;
  private final ServerSocketFactory serverSockets;
  private final Consumer<Socket> onAccept;
  private final Object listenerLock = new Object();
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private final List<MarkerRule> markerRules = new CopyOnWriteArrayList<>();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong failedAccepts = new AtomicLong();
  private final AtomicLong bytesToEngine = new AtomicLong();
  private final AtomicLong bytesToWorker = new AtomicLong();
  private final AtomicInteger connectionSequence = new AtomicInteger();
  /** Bumped by every cut, so that a connection accepted before a cut but linked after it is cut too. */
  private final AtomicLong cuts = new AtomicLong();
  private final int port;
  private ServerSocket listener; // guarded by listenerLock
  private Thread acceptor; // guarded by listenerLock
  private volatile boolean closed;
  private volatile Refusal refusal;
  private volatile long latencyNanos;
  /** Stall / reset-after rules: a generation number so that open connections pick up a new rule once. */
  private volatile ByteRule stallRule = ByteRule.NONE;
  private volatile ByteRule resetRule = ByteRule.NONE;

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
    this.targetHost = Objects.requireNonNull(targetHost, "targetHost");
    this.targetPort = targetPort;
    this.serverSockets = serverSockets;
    this.onAccept = onAccept;
    synchronized (listenerLock) {
      listener = bind(0);
      this.port = listener.getLocalPort();
      startAcceptor(listener);
    }
    LOG.debug("fault proxy 127.0.0.1:{} -> {}:{} started", port, targetHost, targetPort);
  }

  // ---------------------------------------------------------------- where it listens

  /** The port the proxy listens on (on 127.0.0.1); it stays the same across refusals. */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  public String httpUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The engine address the proxy forwards to, {@code host:port}. */
  public String target() {
    return targetHost + ":" + targetPort;
  }

  // ---------------------------------------------------------------- faults

  /** Resets (TCP RST) every open connection, in both directions. New connections are accepted as before. */
  public void cutConnections() {
    cuts.incrementAndGet();
    for (Link link : links) {
      link.reset("cut");
    }
  }

  /** Turns new connections away, as {@code how} says, until {@link #acceptConnections()} or {@link #heal()}. */
  public void refuseConnections(Refusal how) {
    Objects.requireNonNull(how, "how");
    synchronized (listenerLock) {
      refusal = how;
      if (how == Refusal.CLOSE_PORT && listener != null) {
        closeQuietly(listener);
        listener = null;
        // A connection accept() returned just before the close is registered before this returns, so
        // that a cutConnections() right after it cuts that connection too.
        joinQuietly(acceptor);
      }
    }
  }

  /**
   * Accepts new connections again. After {@link Refusal#CLOSE_PORT} the port is bound again; the
   * rare case that another process took it meanwhile fails with an {@link UncheckedIOException}.
   */
  public void acceptConnections() {
    synchronized (listenerLock) {
      refusal = null;
      if (listener == null && !closed) {
        listener = bind(port);
        startAcceptor(listener);
      }
    }
  }

  /** Delays every chunk of bytes by {@code delay} before forwarding it, in both directions; zero for none. */
  public void latency(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("latency < 0: " + delay);
    }
    latencyNanos = delay.toNanos();
  }

  /**
   * On every connection, open or new, forwards at most {@code bytes} more engine-to-worker bytes and
   * then stops forwarding (reading and dropping the rest), so that an answer stops part-way.
   * {@link #heal()} resets the stalled connections, whose byte streams are broken.
   */
  public void stallResponsesAfter(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes < 0: " + bytes);
    }
    stallRule = stallRule.next(bytes);
  }

  /** On every connection, open or new, resets the connection once {@code bytes} more worker-to-engine bytes have passed. */
  public void resetRequestsAfter(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes < 0: " + bytes);
    }
    resetRule = resetRule.next(bytes);
  }

  /**
   * The next {@code times} worker-to-engine chunks containing {@code marker} (such as
   * {@code "/complete "} for an HTTP request line) are not forwarded: the connection is reset
   * instead, so the engine never sees the request. HTTP/1.1 only.
   */
  public void resetRequestsContaining(String marker, int times) {
    markerRules.add(new MarkerRule(marker, times, false));
  }

  /**
   * The next {@code times} worker-to-engine chunks containing {@code marker} are forwarded, and the
   * connection is reset as soon as the engine starts to answer: the engine acted on the request, but
   * the worker never learns the outcome. HTTP/1.1 only.
   */
  public void resetResponsesTo(String marker, int times) {
    markerRules.add(new MarkerRule(marker, times, true));
  }

  /**
   * Ends every fault: accepts connections again, no latency, no stall or reset rules. Connections
   * stalled by {@link #stallResponsesAfter(long)} are reset. Counters are kept.
   */
  public void heal() {
    markerRules.clear();
    latencyNanos = 0;
    stallRule = stallRule.next(-1);
    resetRule = resetRule.next(-1);
    for (Link link : links) {
      if (link.stalled) {
        link.reset("heal after stall");
      }
    }
    acceptConnections();
  }

  // ---------------------------------------------------------------- observation

  /**
   * Counts, from now on, the worker-to-engine chunks that contain {@code marker} (for example
   * {@code "/complete "}: every complete request, including those a fault then drops).
   * Calling it again for the same marker keeps the count.
   */
  public void count(String marker) {
    requireMarker(marker);
    counters.computeIfAbsent(marker, m -> new AtomicLong());
  }

  /** How many worker-to-engine chunks contained {@code marker} since {@link #count(String)}; 0 if not counted. */
  public long counted(String marker) {
    AtomicLong c = counters.get(marker);
    return c == null ? 0 : c.get();
  }

  /** Connections open right now. */
  public int openConnections() {
    return links.size();
  }

  /** Connections accepted and forwarded (or attempted to) since the start. */
  public long acceptedConnections() {
    return accepted.get();
  }

  /** Connections turned away by {@link Refusal#RESET} since the start. */
  public long refusedConnections() {
    return refused.get();
  }

  /** Connections closed before forwarding because {@code onAccept} failed (TLS handshakes, for {@link TlsTerminator}). */
  public long failedAccepts() {
    return failedAccepts.get();
  }

  /** Bytes forwarded from workers to the engine. */
  public long bytesToEngine() {
    return bytesToEngine.get();
  }

  /** Bytes forwarded from the engine to workers. */
  public long bytesToWorkers() {
    return bytesToWorker.get();
  }

  /** Live threads of this proxy (acceptor and pumps); zero after {@link #close()}. */
  public int liveThreads() {
    int n = 0;
    for (Thread t : threads) {
      if (t.isAlive()) {
        n++;
      }
    }
    return n;
  }

  /** Stops listening, resets every connection and waits for the proxy's threads to end. Idempotent. */
  @Override
  public void close() {
    synchronized (listenerLock) {
      if (closed) {
        return;
      }
      closed = true;
      if (listener != null) {
        closeQuietly(listener);
        listener = null;
      }
    }
    for (Link link : links) {
      link.reset("proxy closed");
    }
    long deadline = System.nanoTime() + THREAD_JOIN_TIMEOUT.toNanos();
    for (Thread t : threads) {
      t.interrupt();
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    LOG.debug("fault proxy 127.0.0.1:{} closed ({} thread(s) still alive)", port, liveThreads());
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[127.0.0.1:" + port + " -> " + target() + ", open=" + links.size()
        + (refusal != null ? ", refusing=" + refusal : "") + (closed ? ", closed" : "") + "]";
  }

  // ---------------------------------------------------------------- internals

  private ServerSocket bind(int localPort) {
    try {
      ServerSocket s = serverSockets.createServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort), 128);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the fault proxy to 127.0.0.1:" + localPort, e);
    }
  }

  private void startAcceptor(ServerSocket socket) {
    acceptor = spawn("accept", () -> acceptLoop(socket));
  }

  private static void joinQuietly(Thread t) {
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    try {
      t.join(THREAD_JOIN_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Thread spawn(String role, Runnable body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } finally {
        threads.remove(Thread.currentThread());
      }
    }, "fault-proxy-" + port + "-" + role);
    t.setDaemon(true);
    threads.add(t);
    t.start();
    return t;
  }

  private void acceptLoop(ServerSocket socket) {
    while (!closed && !socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return; // closed by refuseConnections(CLOSE_PORT) or close()
      }
      if (closed) {
        resetQuietly(client);
        return;
      }
      if (refusal == Refusal.RESET) {
        refused.incrementAndGet();
        resetQuietly(client);
        continue;
      }
      accepted.incrementAndGet();
      int id = connectionSequence.incrementAndGet();
      long cutsAtAccept = cuts.get();
      spawn("c" + id + "-up", () -> open(client, id, cutsAtAccept));
    }
  }

  /** Runs on the connection's worker-to-engine thread: connects to the engine, then pumps upwards. */
  private void open(Socket client, int id, long cutsAtAccept) {
    try {
      client.setTcpNoDelay(true);
      onAccept.accept(client);
    } catch (IOException | RuntimeException e) {
      failedAccepts.incrementAndGet();
      LOG.debug("fault proxy {}: connection {} rejected on accept: {}", port, id, e.toString());
      resetQuietly(client);
      return;
    }
    Socket server = new Socket();
    try {
      server.setTcpNoDelay(true);
      server.connect(new InetSocketAddress(targetHost, targetPort), CONNECT_TIMEOUT_MILLIS);
    } catch (IOException e) {
      LOG.debug("fault proxy {}: engine {} unreachable: {}", port, target(), e.toString());
      resetQuietly(server);
      resetQuietly(client);
      return;
    }
    Link link = new Link(id, client, server);
    links.add(link);
    if (closed || cuts.get() != cutsAtAccept) {
      link.reset(closed ? "proxy closed" : "cut while connecting");
      return;
    }
    spawn("c" + id + "-down", link::pumpDown);
    link.pumpUp();
  }

  private void pause() throws InterruptedException {
    long nanos = latencyNanos;
    if (nanos > 0) {
      TimeUnit.NANOSECONDS.sleep(nanos);
    }
  }

  private static void requireMarker(String marker) {
    if (marker == null || marker.isEmpty()) {
      throw new IllegalArgumentException("marker is empty");
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }

  static void resetQuietly(Socket s) {
    try {
      if (!s.isClosed()) {
        s.setSoLinger(true, 0);
      }
    } catch (SocketException e) {
      // not connected: a plain close will do
    }
    closeQuietly(s);
  }

  /** A byte-count rule; {@code bytes < 0} means none. Each call makes a new generation. */
  private record ByteRule(long generation, long bytes) {
    static final ByteRule NONE = new ByteRule(0, -1);

    ByteRule next(long newBytes) {
      return new ByteRule(generation + 1, newBytes);
    }
  }

  private static final class MarkerRule {
    final String marker;
    final AtomicInteger remaining;
    final boolean afterForwarding;

    MarkerRule(String marker, int times, boolean afterForwarding) {
      requireMarker(marker);
      if (times < 1) {
        throw new IllegalArgumentException("times < 1: " + times);
      }
      this.marker = marker;
      this.remaining = new AtomicInteger(times);
      this.afterForwarding = afterForwarding;
    }

    boolean take() {
      return remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }
  }

  /** One proxied connection: a worker socket, an engine socket and a pump each way. */
  private final class Link {
    final int id;
    final Socket client;
    final Socket server;
    volatile boolean stalled;
    volatile boolean resetOnAnswer;
    private final AtomicInteger resets = new AtomicInteger();
    private final AtomicInteger directionsDone = new AtomicInteger();
    /** Carry-over of the last bytes upwards, so markers split across two chunks are still found. */
    private String carry = "";

    Link(int id, Socket client, Socket server) {
      this.id = id;
      this.client = client;
      this.server = server;
    }

    void reset(String why) {
      if (resets.getAndIncrement() == 0) {
        LOG.debug("fault proxy {}: resetting connection {} ({})", port, id, why);
      }
      resetQuietly(client);
      resetQuietly(server);
      links.remove(this);
    }

    /** Worker to engine. */
    void pumpUp() {
      long seenGeneration = -1;
      long limit = Long.MAX_VALUE;
      long total = 0;
      byte[] buffer = new byte[BUFFER];
      try {
        InputStream in = client.getInputStream();
        OutputStream out = server.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          ByteRule rule = resetRule;
          if (rule.generation() != seenGeneration) {
            seenGeneration = rule.generation();
            limit = rule.bytes() < 0 ? Long.MAX_VALUE : total + rule.bytes();
          }
          MarkerRule matched = scan(buffer, n);
          if (matched != null && !matched.afterForwarding) {
            reset("request containing '" + matched.marker + "'");
            return;
          }
          if (matched != null) {
            // Before forwarding: HTTP/1.1 answers in order, so the next answer bytes are this request's.
            resetOnAnswer = true;
          }
          int forward = (int) Math.min(n, limit - total);
          pause();
          if (forward > 0) {
            total += forward;
            bytesToEngine.addAndGet(forward); // before writing: the peer may react at once
            out.write(buffer, 0, forward);
            out.flush();
          }
          if (forward < n) {
            reset("reset after request bytes");
            return;
          }
        }
        server.shutdownOutput();
        finished();
      } catch (IOException e) {
        reset("upstream failed: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        reset("interrupted");
      }
    }

    /** Engine to worker. */
    void pumpDown() {
      long seenGeneration = -1;
      long limit = Long.MAX_VALUE;
      long total = 0;
      byte[] buffer = new byte[BUFFER];
      try {
        InputStream in = server.getInputStream();
        OutputStream out = client.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (resetOnAnswer) {
            reset("answer to a marked request");
            return;
          }
          ByteRule rule = stallRule;
          if (rule.generation() != seenGeneration) {
            seenGeneration = rule.generation();
            limit = rule.bytes() < 0 ? Long.MAX_VALUE : total + rule.bytes();
          }
          if (stalled) {
            continue; // read and drop
          }
          int forward = (int) Math.min(n, limit - total);
          pause();
          if (forward > 0) {
            total += forward;
            bytesToWorker.addAndGet(forward); // before writing: the peer may react at once
            out.write(buffer, 0, forward);
            out.flush();
          }
          if (forward < n || total >= limit) {
            stalled = true;
          }
        }
        if (stalled) {
          return; // the worker keeps waiting for the rest; heal(), cutConnections() or close() reset it
        }
        client.shutdownOutput();
        finished();
      } catch (IOException e) {
        reset("downstream failed: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        reset("interrupted");
      }
    }

    /** One direction reached its end of stream; the second one closes the connection normally. */
    private void finished() {
      if (directionsDone.incrementAndGet() == 2) {
        closeQuietly(client);
        closeQuietly(server);
        links.remove(this);
      }
    }

    /** Counts markers in this chunk and returns the first marker rule it triggers, if any. */
    private MarkerRule scan(byte[] buffer, int n) {
      if (counters.isEmpty() && markerRules.isEmpty()) {
        return null;
      }
      String previous = carry;
      String window = previous + new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
      int longest = 1;
      for (String marker : counters.keySet()) {
        longest = Math.max(longest, marker.length());
        if (occursInNewBytes(window, marker, previous.length())) {
          counters.get(marker).incrementAndGet();
        }
      }
      MarkerRule triggered = null;
      for (MarkerRule rule : markerRules) {
        longest = Math.max(longest, rule.marker.length());
        if (triggered == null && occursInNewBytes(window, rule.marker, previous.length()) && rule.take()) {
          triggered = rule;
        }
      }
      carry = window.substring(Math.max(0, window.length() - (longest - 1)));
      return triggered;
    }
  }

  /** Whether {@code marker} occurs in {@code window} ending after the first {@code oldLength} characters. */
  private static boolean occursInNewBytes(String window, String marker, int oldLength) {
    int from = Math.max(0, oldLength - marker.length() + 1);
    return window.indexOf(marker, from) >= 0;
  }
}
