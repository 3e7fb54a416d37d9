package io.polyworker.testkit.zeebe.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The test-facing HTTP side of the engine, on loopback only (the engine itself has no REST API):
 * <ul>
 *   <li>{@code GET /health} — 200 {@code {"status":"started","gatewayPort":N}} while the engine runs,
 *       503 {@code {"status":"stopping"}} once shutdown began;</li>
 *   <li>{@code GET /records[?from=N]} — every record of the engine's log, oldest first, one JSON object
 *       per line ({@code application/x-ndjson}); {@code from} skips the first N records, so a poller
 *       can ask only for what is new;</li>
 *   <li>{@code POST /clock/increase?millis=N} — moves the engine clock N ms forward.</li>
 * </ul>
 * Requests are served by two daemon threads; reading the records is serialised by {@link ReflectiveEngine}.
 */
final class ControlServer {

  private final HttpServer server;
  private final ExecutorService executor;

  private ControlServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  static ControlServer start(ReflectiveEngine engine, int gatewayPort, Supplier<Boolean> stopping, int port)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    server.createContext("/health", exchange -> handle(exchange, "GET", () -> {
      if (stopping.get()) {
        send(exchange, 503, "application/json", "{\"status\":\"stopping\"}");
      } else {
        send(exchange, 200, "application/json", "{\"status\":\"started\",\"gatewayPort\":" + gatewayPort + "}");
      }
    }));
    server.createContext("/records", exchange -> handle(exchange, "GET", () -> {
      int from = Math.max(0, (int) longParameter(exchange, "from", 0));
      exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson; charset=utf-8");
      exchange.sendResponseHeaders(200, 0); // chunked: the log can be long
      try (BufferedWriter out = new BufferedWriter(
          new OutputStreamWriter(exchange.getResponseBody(), StandardCharsets.UTF_8))) {
        engine.forEachRecordJson(from, line -> {
          try {
            out.write(line);
            out.write('\n');
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    }));
    server.createContext("/clock/increase", exchange -> handle(exchange, "POST", () -> {
      long millis = longParameter(exchange, "millis", -1);
      if (millis < 0) {
        send(exchange, 400, "text/plain", "query parameter millis (>= 0) is required");
        return;
      }
      engine.increaseTime(Duration.ofMillis(millis));
      send(exchange, 200, "application/json", "{\"increasedByMillis\":" + millis + "}");
    }));
    ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "polyworker-zeebe-control");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.start();
    return new ControlServer(server, executor);
  }

  int port() {
    return server.getAddress().getPort();
  }

  void stop() {
    server.stop(0);
    executor.shutdownNow();
  }

  private interface Handler {
    void run() throws IOException;
  }

  private static void handle(HttpExchange exchange, String method, Handler handler) throws IOException {
    try {
      if (!method.equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", method);
        send(exchange, 405, "text/plain", "use " + method);
        return;
      }
      try {
        handler.run();
      } catch (IllegalArgumentException e) {
        send(exchange, 400, "text/plain", String.valueOf(e.getMessage()));
      } catch (RuntimeException e) {
        // If the body already started this cannot change the status; the client sees a cut response.
        e.printStackTrace(System.err);
        send(exchange, 500, "text/plain", e.toString());
      }
    } finally {
      exchange.close();
    }
  }

  private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static long longParameter(HttpExchange exchange, String name, long absent) {
    String value = query(exchange).get(name);
    if (value == null) {
      return absent;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("query parameter " + name + " is not a number: " + value, e);
    }
  }

  private static Map<String, String> query(HttpExchange exchange) {
    Map<String, String> parameters = new HashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        parameters.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
      }
    }
    return parameters;
  }
}
