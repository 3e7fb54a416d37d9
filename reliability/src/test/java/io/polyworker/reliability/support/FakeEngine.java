package io.polyworker.reliability.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A scripted HTTP server on 127.0.0.1 standing in for an engine's REST API: fetch requests (paths
 * matching {@code isFetch}) get the current {@link #answer}; every other request is recorded with its
 * body and answered 204. The fetch answer can be switched at any time, which is how tests feed a
 * worker bad answers and then good ones.
 */
public final class FakeEngine implements AutoCloseable {
  /** A scripted answer: status and body bytes (may be huge). */
  public record Answer(int status, byte[] body) {
    public static Answer json(int status, String body) {
      return new Answer(status, body.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A request other than a fetch: method, path and body. */
  public record Recorded(String method, String path, String body, String authorization) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "fake-engine");
    t.setDaemon(true);
    return t;
  });
  private static final Answer EMPTY = Answer.json(200, "[]");
  private final AtomicReference<Answer> answer = new AtomicReference<>(EMPTY);
  private final AtomicReference<Answer> once = new AtomicReference<>();
  private final AtomicReference<Answer> other = new AtomicReference<>(new Answer(204, new byte[0]));
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final List<String> fetchAuthorizations = new CopyOnWriteArrayList<>();

  public FakeEngine(Predicate<String> isFetch) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setExecutor(threads);
    server.createContext("/", exchange -> handle(exchange, isFetch));
    server.start();
  }

  /** A fake of Camunda's REST API: fetches are {@code POST .../external-task/fetchAndLock}. */
  public static FakeEngine camunda() throws IOException {
    return new FakeEngine(path -> path.endsWith("/fetchAndLock"));
  }

  private void handle(HttpExchange exchange, Predicate<String> isFetch) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (isFetch.test(path)) {
        fetchAuthorizations.add(String.valueOf(authorization));
        Answer a = once.getAndSet(null);
        if (a == null) {
          a = answer.get();
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
        if (a.body().length > 0) {
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(a.body());
          }
        }
      } else {
        requests.add(new Recorded(exchange.getRequestMethod(), path, body, authorization));
        Answer a = other.get();
        exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
        if (a.body().length > 0) {
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(a.body());
          }
        }
      }
    }
  }

  /** The REST root, {@code http://127.0.0.1:<port>/engine-rest}. */
  public String camundaUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/engine-rest";
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** From now on, fetches get this answer. */
  public void answer(Answer a) {
    answer.set(a);
  }

  /** The next fetch gets this answer; later ones the answer set with {@link #answer(Answer)}. */
  public void answerOnce(Answer a) {
    once.set(a);
  }

  /** From now on, requests other than fetches get this answer (default: 204, no body). */
  public void answerOthers(Answer a) {
    other.set(a);
  }

  /** Requests other than fetches, oldest first. */
  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  /** The Authorization header of every fetch so far. */
  public List<String> fetchAuthorizations() {
    return List.copyOf(fetchAuthorizations);
  }

  @Override
  public void close() throws InterruptedException {
    server.stop(0);
    threads.shutdownNow();
    threads.awaitTermination(5, TimeUnit.SECONDS);
  }
}
