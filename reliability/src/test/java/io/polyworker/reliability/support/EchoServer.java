package io.polyworker.reliability.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP server on 127.0.0.1 that echoes every byte back and remembers what it received, for the
 * proxy's own tests. One thread per connection; {@link #close()} ends them all.
 */
public final class EchoServer implements AutoCloseable {
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();

  public EchoServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    spawn(this::acceptLoop);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Everything received so far, as ISO-8859-1 text. */
  public String received() {
    synchronized (received) {
      return received.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private void spawn(Runnable r) {
    Thread t = new Thread(r, "echo-" + server.getLocalPort());
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        sockets.add(s);
        spawn(() -> echo(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void echo(Socket s) {
    byte[] buffer = new byte[8192];
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        synchronized (received) {
          received.write(buffer, 0, n);
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // reset by the peer: fine
    } finally {
      sockets.remove(s);
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
    for (Thread t : threads) {
      t.join(5_000);
    }
  }
}
