package io.polyworker.testkit.engines;

import static io.polyworker.testkit.engines.ProxySockets.THREAD_JOIN_TIMEOUT;
import static io.polyworker.testkit.engines.ProxySockets.closeQuietly;
import static io.polyworker.testkit.engines.ProxySockets.joinQuietly;
import static io.polyworker.testkit.engines.ProxySockets.resetQuietly;

import io.polyworker.testkit.engines.FaultProxy.Refusal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ServerSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection side of a {@link FaultProxy}: the listening socket and its accepting thread (closed
 * and bound again for {@link Refusal#CLOSE_PORT}), the connections to the engine, the open
 * {@link ProxyLink}s and every thread of the proxy, and the connection and byte counts. Thread-safe.
 */
final class ProxyConnections {
  private static final Logger LOG = LoggerFactory.getLogger("io.polyworker.testkit.proxy");
  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

  final int port;
  final FaultRules rules;
  final Set<ProxyLink> links = ConcurrentHashMap.newKeySet();
  final AtomicLong bytesToEngine = new AtomicLong();
  final AtomicLong bytesToWorker = new AtomicLong();
  private final String targetHost;
  private final int targetPort;
  private final ServerSocketFactory serverSockets;
  private final Consumer<Socket> onAccept;
  private final Object listenerLock = new Object();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong failedAccepts = new AtomicLong();
  private final AtomicInteger connectionSequence = new AtomicInteger();
  /** Bumped by every cut, so that a connection accepted before a cut but linked after it is cut too. */
  private final AtomicLong cuts = new AtomicLong();
  private ServerSocket listener; // guarded by listenerLock
  private Thread acceptor; // guarded by listenerLock
  private volatile boolean closed;
  private volatile Refusal refusal;

  /** Binds a free port of 127.0.0.1 and starts accepting. */
  ProxyConnections(String targetHost, int targetPort, ServerSocketFactory serverSockets,
      Consumer<Socket> onAccept, FaultRules rules) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.serverSockets = serverSockets;
    this.onAccept = onAccept;
    this.rules = rules;
    synchronized (listenerLock) {
      listener = bind(0);
      this.port = listener.getLocalPort();
      startAcceptor(listener);
    }
  }

  /** The engine address, {@code host:port}. */
  String target() {
    return targetHost + ":" + targetPort;
  }

  /** Resets every open connection, and those accepted but not yet linked. */
  void cutAll() {
    cuts.incrementAndGet();
    for (ProxyLink link : links) {
      link.reset("cut");
    }
  }

  void refuse(Refusal how) {
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

  void acceptAgain() {
    synchronized (listenerLock) {
      refusal = null;
      if (listener == null && !closed) {
        listener = bind(port);
        startAcceptor(listener);
      }
    }
  }

  /** Resets the connections whose answers stalled: their byte streams are broken. */
  void resetStalled() {
    for (ProxyLink link : links) {
      if (link.stalled) {
        link.reset("heal after stall");
      }
    }
  }

  int openCount() {
    return links.size();
  }

  long accepted() {
    return accepted.get();
  }

  long refused() {
    return refused.get();
  }

  long failedAccepts() {
    return failedAccepts.get();
  }

  int liveThreads() {
    int n = 0;
    for (Thread t : threads) {
      if (t.isAlive()) {
        n++;
      }
    }
    return n;
  }

  Refusal refusal() {
    return refusal;
  }

  boolean isClosed() {
    return closed;
  }

  /** Stops listening, resets every connection and waits for the threads to end. Idempotent. */
  void close() {
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
    for (ProxyLink link : links) {
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
    ProxyLink link = new ProxyLink(this, id, client, server);
    links.add(link);
    if (closed || cuts.get() != cutsAtAccept) {
      link.reset(closed ? "proxy closed" : "cut while connecting");
      return;
    }
    spawn("c" + id + "-down", link::pumpDown);
    link.pumpUp();
  }
}
