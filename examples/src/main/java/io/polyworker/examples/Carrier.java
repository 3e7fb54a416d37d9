package io.polyworker.examples;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The demo's carrier: a small HTTP API on a loopback port (the JDK's HTTP server) that books a
 * shipment with {@code PUT /shipments/<orderId>} after a delay and answers its tracking number as
 * JSON. The order demo's ship-order step calls it through the HTTP work unit.
 */
public final class Carrier implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "carrier");
    t.setDaemon(true);
    return t;
  });

  private Carrier(Duration latency) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(threads);
    server.createContext("/shipments/", ex -> {
      try (ex) {
        String orderId = ex.getRequestURI().getPath().substring("/shipments/".length());
        if (!ex.getRequestMethod().equals("PUT") || !orderId.matches("[A-Za-z0-9-]{1,40}")) {
          ex.sendResponseHeaders(400, -1);
          return;
        }
        try {
          Thread.sleep(latency.toMillis()); // the carrier is slow: longer than the job's lock
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          ex.sendResponseHeaders(503, -1);
          return;
        }
        byte[] body = ("{\"trackingNumber\":\"TRK-" + orderId + "\"}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      }
    });
    server.start();
  }

  /** A carrier answering after {@code latency}. */
  public static Carrier start(Duration latency) throws IOException {
    return new Carrier(latency);
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
