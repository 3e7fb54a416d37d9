package io.polyworker.testkit.engines;

import static io.polyworker.testkit.engines.ProxySockets.closeQuietly;
import static io.polyworker.testkit.engines.ProxySockets.resetQuietly;

import io.polyworker.testkit.engines.FaultRules.ByteRule;
import io.polyworker.testkit.engines.FaultRules.MarkerRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied connection of a {@link FaultProxy}: a worker socket, an engine socket and a pump each
 * way, which apply the proxy's {@link FaultRules} to the bytes they forward.
 */
final class ProxyLink {
  private static final Logger LOG = LoggerFactory.getLogger("io.polyworker.testkit.proxy");
  private static final int BUFFER = 16 * 1024;

  final int id;
  final Socket client;
  final Socket server;
  volatile boolean stalled;
  volatile boolean resetOnAnswer;
  private final ProxyConnections connections;
  private final FaultRules rules;
  private final AtomicInteger resets = new AtomicInteger();
  private final AtomicInteger directionsDone = new AtomicInteger();
  private final FaultRules.Scanner scanner;

  ProxyLink(ProxyConnections connections, int id, Socket client, Socket server) {
    this.connections = connections;
    this.rules = connections.rules;
    this.scanner = rules.new Scanner();
    this.id = id;
    this.client = client;
    this.server = server;
  }

  void reset(String why) {
    if (resets.getAndIncrement() == 0) {
      LOG.debug("fault proxy {}: resetting connection {} ({})", connections.port, id, why);
    }
    resetQuietly(client);
    resetQuietly(server);
    connections.links.remove(this);
  }

  /** Worker to engine. */
  void pumpUp() {
    pump(client, server, "upstream", new Requests());
  }

  /** Engine to worker. */
  void pumpDown() {
    pump(server, client, "downstream", new Answers());
  }

  /** Copies one direction until its end of stream, the link's reset, or an I/O error. */
  private void pump(Socket from, Socket to, String direction, Chunks chunks) {
    byte[] buffer = new byte[BUFFER];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (!chunks.handle(buffer, n, out)) {
          return;
        }
      }
      if (chunks.passEnd()) {
        to.shutdownOutput();
        finished();
      }
    } catch (IOException e) {
      reset(direction + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reset("interrupted");
    }
  }

  /** What one direction does with the bytes it read, under the proxy's rules. */
  private interface Chunks {
    /** Handles {@code n} bytes read; false when the pump must stop (the link was reset). */
    boolean handle(byte[] buffer, int n, OutputStream out) throws IOException, InterruptedException;

    /** Whether the end of input is passed on to the other side. */
    boolean passEnd();
  }

  /** Worker to engine: reset rules by byte count or by a marker in a request. */
  private final class Requests implements Chunks {
    private final Budget budget = new Budget();

    @Override
    public boolean handle(byte[] buffer, int n, OutputStream out) throws IOException, InterruptedException {
      budget.follow(rules.resetRule());
      MarkerRule matched = scanner.scan(buffer, n);
      if (matched != null && !matched.afterForwarding) {
        reset("request containing '" + matched.marker + "'");
        return false;
      }
      if (matched != null) {
        // Before forwarding: HTTP/1.1 answers in order, so the next answer bytes are this request's.
        resetOnAnswer = true;
      }
      if (forward(budget, buffer, n, out, connections.bytesToEngine) < n) {
        reset("reset after request bytes");
        return false;
      }
      return true;
    }

    @Override
    public boolean passEnd() {
      return true;
    }
  }

  /** Engine to worker: stall rules by byte count, and the reset of a marked request's answer. */
  private final class Answers implements Chunks {
    private final Budget budget = new Budget();

    @Override
    public boolean handle(byte[] buffer, int n, OutputStream out) throws IOException, InterruptedException {
      if (resetOnAnswer) {
        reset("answer to a marked request");
        return false;
      }
      budget.follow(rules.stallRule());
      if (stalled) {
        return true; // read and drop
      }
      if (forward(budget, buffer, n, out, connections.bytesToWorker) < n || budget.spent()) {
        stalled = true;
      }
      return true;
    }

    /** A stalled answer stays open: the worker keeps waiting for the rest until heal(), cutConnections() or close(). */
    @Override
    public boolean passEnd() {
      return !stalled;
    }
  }

  /** One direction reached its end of stream; the second one closes the connection normally. */
  private void finished() {
    if (directionsDone.incrementAndGet() == 2) {
      closeQuietly(client);
      closeQuietly(server);
      connections.links.remove(this);
    }
  }

  /**
   * Forwards as much of the {@code n} bytes read as the budget allows, after the rules' pause, and
   * counts them before writing (the peer may react at once). Returns how many were forwarded.
   */
  private int forward(Budget budget, byte[] buffer, int n, OutputStream out, AtomicLong counter)
      throws IOException, InterruptedException {
    int forward = budget.allowed(n);
    rules.pause();
    if (forward > 0) {
      budget.spend(forward);
      counter.addAndGet(forward);
      out.write(buffer, 0, forward);
      out.flush();
    }
    return forward;
  }

  /**
   * How many bytes one direction may still pass under its rule; a rule set anew (a new generation)
   * counts from the bytes passed so far. One pump's own, not thread-safe.
   */
  private static final class Budget {
    private long generation = -1;
    private long limit = Long.MAX_VALUE;
    private long total;

    void follow(ByteRule rule) {
      if (rule.generation() != generation) {
        generation = rule.generation();
        limit = rule.bytes() < 0 ? Long.MAX_VALUE : total + rule.bytes();
      }
    }

    int allowed(int n) {
      return (int) Math.min(n, limit - total);
    }

    void spend(int bytes) {
      total += bytes;
    }

    boolean spent() {
      return total >= limit;
    }
  }
}
