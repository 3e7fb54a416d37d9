package io.polyworker.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.polyworker.BpmnError;
import io.polyworker.JobResult;
import io.polyworker.PolyworkerException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP unit against a real HTTP server (the JDK's) on a loopback port. */
class HttpCallUnitTest {

  private HttpServer server;
  private String base;
  private String otherHost;
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private final CountDownLatch never = new CountDownLatch(1);

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/api/orders", ex -> {
      seen.put("auth", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
      seen.put("trace", String.valueOf(ex.getRequestHeaders().getFirst("X-Trace")));
      seen.put("query", String.valueOf(ex.getRequestURI().getRawQuery()));
      seen.put("method", ex.getRequestMethod());
      seen.put("body", new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      answer(ex, 200, "application/json", "{\"id\":7,\"items\":[1,2]}");
    });
    server.createContext("/api/missing", ex -> answer(ex, 404, "text/plain", "no such order"));
    server.createContext("/api/down", ex -> answer(ex, 503, "text/plain", "maintenance"));
    server.createContext("/api/slow", ex -> {
      try {
        never.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(ex, 200, "text/plain", "late");
    });
    server.createContext("/api/big", ex -> answer(ex, 200, "text/plain", "x".repeat(5_000)));
    server.createContext("/api/moved", ex -> redirect(ex, base + "/api/orders"));
    server.createContext("/api/away", ex -> redirect(ex, otherHost + "/api/orders"));
    server.createContext("/api-archive", ex -> answer(ex, 200, "text/plain", "archive"));
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    otherHost = "http://localhost:" + server.getAddress().getPort();
  }

  @AfterEach
  void stopServer() {
    never.countDown();
    server.stop(0);
  }

  private static void answer(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private static void redirect(HttpExchange ex, String location) throws IOException {
    ex.getResponseHeaders().add("Location", location);
    ex.sendResponseHeaders(302, -1);
    ex.close();
  }

  private HttpCallUnit unit() {
    return HttpCallUnit.builder().allow(base + "/api").header("Authorization", "Bearer from-config")
        .timeout(Duration.ofSeconds(5)).build();
  }

  @Test
  void callsTheApiWithConfiguredCredentialsAndWritesStatusHeadersAndParsedBody() throws Exception {
    JobResult r = unit().handle(TestJobs.job(Map.of("http_url", base + "/api/orders",
        "http_query", Map.of("state", "open", "tag", List.of("a", "b")), "http_headers", Map.of("X-Trace", "t-1"))));
    assertThat(r.kind()).isEqualTo(JobResult.Kind.COMPLETE);
    @SuppressWarnings("unchecked")
    Map<String, Object> response = (Map<String, Object>) r.variables().get("http_response");
    assertThat(response).containsEntry("status", 200).containsEntry("body", Map.of("id", 7, "items", List.of(1, 2)));
    assertThat(response.get("headers")).isEqualTo(Map.of("content-type", "application/json"));
    assertThat(seen).containsEntry("auth", "Bearer from-config").containsEntry("trace", "t-1")
        .containsEntry("method", "GET");
    assertThat(seen.get("query")).contains("state=open").contains("tag=a&tag=b"); // variables keep no order
  }

  @Test
  void postsAJsonBodyAndNamesTheResultVariableAsTheModelAsks() throws Exception {
    JobResult r = unit().handle(TestJobs.job(Map.of("http_method", "post", "http_url", base + "/api/orders",
        "http_body", Map.of("sku", "a", "count", 2), "http_result", "created")));
    assertThat(r.variables()).containsKey("created");
    assertThat(seen.get("method")).isEqualTo("POST");
    assertThat(seen.get("body")).contains("\"sku\":\"a\"").contains("\"count\":2");
  }

  @Test
  void aPutOrPostWithoutBodySendsAnEmptyOne() throws Exception {
    for (String method : List.of("PUT", "POST", "PATCH")) {
      assertThat(unit().handle(TestJobs.job(Map.of("http_method", method, "http_url", base + "/api/orders"))).kind())
          .as(method).isEqualTo(JobResult.Kind.COMPLETE);
      assertThat(seen).containsEntry("method", method).containsEntry("body", "");
    }
  }

  @Test
  void aClientErrorIsABpmnErrorWithTheStatusInItsCode() {
    assertThatThrownBy(() -> unit().handle(TestJobs.job(Map.of("http_url", base + "/api/missing"))))
        .isInstanceOfSatisfying(BpmnError.class, e -> {
          assertThat(e.errorCode()).isEqualTo("HTTP_404");
          assertThat(e.variables().get("http_response")).isEqualTo(Map.of("status", 404, "headers",
              Map.of("content-type", "text/plain"), "body", "no such order"));
        });
  }

  @Test
  void aServerErrorATimeoutAndARefusedConnectionAreFailuresTheRuntimeRetries() throws IOException {
    assertThatThrownBy(() -> unit().handle(TestJobs.job(Map.of("http_url", base + "/api/down"))))
        .isInstanceOf(PolyworkerException.class).hasMessage("HTTP 503 from 127.0.0.1");
    HttpCallUnit quick = HttpCallUnit.builder().allow(base + "/api").timeout(Duration.ofMillis(300)).build();
    assertThatThrownBy(() -> quick.handle(TestJobs.job(Map.of("http_url", base + "/api/slow"))))
        .isInstanceOf(PolyworkerException.class).hasCauseInstanceOf(InterruptedIOException.class);
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    HttpCallUnit nowhere = HttpCallUnit.builder().allow("http://127.0.0.1:" + closedPort + "/").build();
    assertThatThrownBy(() -> nowhere.handle(TestJobs.job(Map.of("http_url", "http://127.0.0.1:" + closedPort + "/x"))))
        .isInstanceOf(PolyworkerException.class).hasMessageContaining("failed");
  }

  @Test
  void urlsOutsideTheAllowListAreRefusedWithoutRetries() throws Exception {
    for (String url : List.of(otherHost + "/api/orders", base + "/api-archive", "https://127.0.0.1:"
        + server.getAddress().getPort() + "/api/orders", "ftp://127.0.0.1/api", "not a url")) {
      JobResult r = unit().handle(TestJobs.job(Map.of("http_url", url)));
      assertThat(r.kind()).as(url).isEqualTo(JobResult.Kind.FAIL);
      assertThat(r.retries()).as(url).isZero();
    }
    assertThat(seen).isEmpty();
  }

  @Test
  void redirectsAreFollowedOnlyWhileTheyStayOnTheAllowList() throws Exception {
    assertThat(unit().handle(TestJobs.job(Map.of("http_url", base + "/api/moved"))).kind())
        .isEqualTo(JobResult.Kind.COMPLETE);
    seen.clear();
    JobResult away = unit().handle(TestJobs.job(Map.of("http_url", base + "/api/away")));
    assertThat(away.retries()).isZero();
    assertThat(away.errorMessage()).contains("redirect to localhost leads outside the unit's allow-list");
    assertThat(seen).isEmpty();
  }

  @Test
  void credentialsNeverComeFromVariables() throws Exception {
    JobResult header = unit().handle(TestJobs.job(Map.of("http_url", base + "/api/orders",
        "http_headers", Map.of("authorization", "Bearer stolen"))));
    assertThat(header.retries()).isZero();
    assertThat(header.errorMessage()).contains("header authorization may not come from process variables");
    JobResult userInfo = unit().handle(TestJobs.job(Map.of("http_url",
        "http://user:pw@127.0.0.1:" + server.getAddress().getPort() + "/api/orders")));
    assertThat(userInfo.retries()).isZero();
    assertThat(userInfo.errorMessage()).contains("user info").doesNotContain("pw");
    assertThat(seen).isEmpty();
  }

  @Test
  void malformedInputsAreRefusedNotRetried() throws Exception {
    JobResult injected = unit().handle(TestJobs.job(Map.of("http_url", base + "/api/orders",
        "http_headers", Map.of("X-Trace", "a\r\nX-Evil: 1"))));
    assertThat(injected.retries()).isZero();
    assertThat(injected.errorMessage()).contains("not valid HTTP");
    JobResult statuses = unit().handle(TestJobs.job(Map.of("http_url", base + "/api/orders", "http_success", "ok")));
    assertThat(statuses.retries()).isZero();
    assertThat(unit().handle(TestJobs.job(Map.of("http_url", base + "/api/missing", "http_success", List.of(200, 404))))
        .kind()).isEqualTo(JobResult.Kind.COMPLETE);
    assertThat(seen).doesNotContainKey("trace");
  }

  @Test
  void aBodyOverTheLimitIsRefused() throws Exception {
    HttpCallUnit small = HttpCallUnit.builder().allow(base + "/api").maxResponseBytes(1_000).build();
    JobResult r = small.handle(TestJobs.job(Map.of("http_url", base + "/api/big")));
    assertThat(r.retries()).isZero();
    assertThat(r.errorMessage()).contains("over the unit's limit of 1000");
  }

  @Test
  void aUnitWithoutAnAllowListIsNotBuiltAndShowsNoHeaderValue() {
    assertThatThrownBy(() -> HttpCallUnit.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no allow-list");
    assertThatThrownBy(() -> HttpCallUnit.builder().allow("https://user:pw@api.example.com/"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("pw");
    assertThat(unit().toString()).contains("Authorization").doesNotContain("from-config");
  }
}
