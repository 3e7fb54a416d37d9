package io.polyworker.testkit.engines;

import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;

/** Closing sockets and joining threads of a {@link FaultProxy} without exceptions. */
final class ProxySockets {
  static final Duration THREAD_JOIN_TIMEOUT = Duration.ofSeconds(5);

  private ProxySockets() {}

  static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** Closes with a TCP RST instead of a FIN. */
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

  static void joinQuietly(Thread t) {
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    try {
      t.join(THREAD_JOIN_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
