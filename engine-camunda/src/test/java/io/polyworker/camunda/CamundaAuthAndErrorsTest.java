package io.polyworker.camunda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.polyworker.AuthenticationException;
import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.EngineUnavailableException;
import io.polyworker.engine.Engines;
import io.polyworker.JobAlreadyCompletedException;
import io.polyworker.JobLockLostException;
import io.polyworker.PolyworkerException;
import io.polyworker.ResultRejectedException;
import io.polyworker.spi.LockedJob;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Auth headers and error mapping, against a scripted HTTP server standing in for Camunda. */
class CamundaAuthAndErrorsTest {
  private HttpServer server;
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final AtomicReference<Integer> status = new AtomicReference<>(204);
  private final AtomicReference<String> body = new AtomicReference<>("");

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status.get(), status.get() == 204 ? -1 : bytes.length);
      if (status.get() != 204) {
        exchange.getResponseBody().write(bytes);
      }
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/engine-rest";
  }

  private static LockedJob job() {
    return LockedJob.builder().engine("camunda").id("job-1").topic("t").processInstanceId("pi")
        .elementId("task").lockExpiresAt(Instant.now()).nativeJob("native").build();
  }

  private void answer(int code, String json) {
    status.set(code);
    body.set(json);
  }

  @Test
  void basicAuthIsSentAndNeverPrinted() {
    try (Engine engine = CamundaEngine.builder().baseUrl(url()).basicAuth("demo", "s3cret-pw").build()) {
      engine.jobClient().release(job(), "w");
      assertThat(authorizations).containsExactly("Basic ZGVtbzpzM2NyZXQtcHc=");
      assertThat(engine.toString()).contains("demo").doesNotContain("s3cret-pw");
    }
  }

  @Test
  void bearerTokenSupplierIsAskedPerRequest() {
    AtomicInteger n = new AtomicInteger();
    try (Engine engine = CamundaEngine.builder().baseUrl(url())
        .tokenSupplier(() -> "token-" + n.incrementAndGet()).build()) {
      engine.jobClient().release(job(), "w");
      engine.jobClient().release(job(), "w");
      assertThat(authorizations).containsExactly("Bearer token-1", "Bearer token-2");
      assertThat(engine.toString()).doesNotContain("token-");
    }
  }

  @Test
  void configDrivenEngineWithBearerToken() {
    try (Engine engine = Engines.fromConfig(EngineConfig.fromMap(Map.of(
        "POLYWORKER_ENGINE", "camunda", "POLYWORKER_URL", url(), "POLYWORKER_TOKEN", "abc")))) {
      assertThat(engine.id()).isEqualTo("camunda");
      engine.jobClient().release(job(), "w");
      assertThat(authorizations).containsExactly("Bearer abc");
    }
  }

  @Test
  void errorsMapOntoTheHierarchyWithEngineOperationStatusAndExcerpt() {
    try (Engine engine = CamundaEngine.builder().baseUrl(url()).build()) {
      var client = engine.jobClient();
      answer(401, "{\"type\":\"AuthenticationException\",\"message\":\"who are you\"}");
      assertThatThrownBy(() -> client.complete(job(), "w", Map.of(), Map.of()))
          .isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("[camunda] complete failed (status 401)")
          .hasMessageContaining("who are you");

      answer(404, "{\"type\":\"RestException\",\"message\":\"External task with id job-1 does not exist\"}");
      assertThatThrownBy(() -> client.complete(job(), "w", Map.of(), Map.of()))
          .isInstanceOf(JobAlreadyCompletedException.class);

      answer(400, "{\"type\":\"RestException\",\"message\":\"External Task job-1 cannot be completed by worker 'w'. It is locked by worker 'x'.\"}");
      assertThatThrownBy(() -> client.complete(job(), "w", Map.of(), Map.of()))
          .isInstanceOf(JobLockLostException.class);

      answer(400, "{\"type\":\"RestException\",\"message\":\"Cannot extend a lock that expired\"}");
      assertThatThrownBy(() -> client.extendLock(job(), "w", Duration.ofSeconds(1)))
          .isInstanceOf(JobLockLostException.class);

      answer(500, "{\"type\":\"OptimisticLockingException\",\"message\":\"ENGINE-03005 Execution of 'UPDATE' failed\"}");
      assertThatThrownBy(() -> client.complete(job(), "w", Map.of(), Map.of()))
          .isInstanceOf(EngineUnavailableException.class)
          .satisfies(e -> {
            PolyworkerException p = (PolyworkerException) e;
            assertThat(p.isRetryable()).isTrue();
            assertThat(p.status()).isEqualTo(500);
            assertThat(p.engine()).isEqualTo("camunda");
            assertThat(p.operation()).isEqualTo("complete");
            assertThat(p.answerExcerpt()).contains("OptimisticLockingException");
          });

      answer(400, "{\"type\":\"InvalidRequestException\",\"message\":\"bad\"}");
      assertThatThrownBy(() -> client.fail(job(), "w", "m", null, 1, Duration.ZERO))
          .isExactlyInstanceOf(ResultRejectedException.class)
          .satisfies(e -> assertThat(((PolyworkerException) e).isRetryable()).isFalse());
    }
  }

  @Test
  void onlyA4xxThatRefusesTheContentOfAResultIsAResultRejection() {
    try (Engine engine = CamundaEngine.builder().baseUrl(url()).build()) {
      var client = engine.jobClient();
      String invalid = "{\"type\":\"InvalidRequestException\",\"message\":\"Cannot convert value\"}";
      answer(400, invalid);
      assertThatThrownBy(() -> client.complete(job(), "w", Map.of(), Map.of()))
          .isInstanceOf(ResultRejectedException.class);
      assertThatThrownBy(() -> client.bpmnError(job(), "w", "E", null, Map.of()))
          .isInstanceOf(ResultRejectedException.class);
      answer(422, invalid);
      assertThatThrownBy(() -> client.complete(job(), "w", Map.of(), Map.of()))
          .isInstanceOf(ResultRejectedException.class);

      // Not about the content: the same result may be taken later (or never, for another reason).
      for (int status : new int[] {401, 403, 404, 408, 409, 429, 500, 503}) {
        answer(status, invalid);
        assertThatThrownBy(() -> client.complete(job(), "w", Map.of(), Map.of()))
            .as("status %d", status)
            .isNotInstanceOf(ResultRejectedException.class);
      }
      answer(400, "{\"type\":\"RestException\",\"message\":\"ENGINE-03043 ExternalTask with id 'job-1' is suspended.\"}");
      assertThatThrownBy(() -> client.complete(job(), "w", Map.of(), Map.of()))
          .isNotInstanceOf(ResultRejectedException.class);
      answer(400, "{\"type\":\"RestException\",\"message\":\"External Task job-1 cannot be completed by worker 'w'. It is locked by worker 'x'.\"}");
      assertThatThrownBy(() -> client.complete(job(), "w", Map.of(), Map.of()))
          .isInstanceOf(JobLockLostException.class);

      // Operations that carry no result keep their mapping.
      answer(400, invalid);
      assertThatThrownBy(() -> client.extendLock(job(), "w", Duration.ofSeconds(1)))
          .isNotInstanceOf(ResultRejectedException.class);
      assertThatThrownBy(() -> client.release(job(), "w"))
          .isNotInstanceOf(ResultRejectedException.class);
      assertThatThrownBy(() -> engine.processClient().startProcess("p", Map.of()))
          .isNotInstanceOf(ResultRejectedException.class);
    }
  }

  @Test
  void unreachableEngineIsRetryable() {
    int port = server.getAddress().getPort();
    server.stop(0);
    try (Engine engine = CamundaEngine.builder().baseUrl("http://127.0.0.1:" + port + "/engine-rest")
        .connectTimeout(Duration.ofSeconds(1)).build()) {
      assertThatThrownBy(() -> engine.jobClient().release(job(), "w"))
          .isInstanceOf(EngineUnavailableException.class)
          .hasMessageContaining("[camunda] release failed");
    }
  }

  @Test
  void builderValidatesOptions() {
    assertThatThrownBy(() -> CamundaEngine.builder().build()).hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> CamundaEngine.builder().baseUrl("not a url")).hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> CamundaEngine.builder().requestTimeout(Duration.ZERO))
        .hasMessageContaining("requestTimeout");
    assertThatThrownBy(() -> CamundaEngine.builder().bearerToken(" ")).hasMessageContaining("bearerToken");
  }

  @Test
  void credentialsInTheUrlAreRefusedWithoutEchoingThem() {
    String withUserInfo = "https://demo:s3cr3t@camunda.example/engine-rest";
    assertThatThrownBy(() -> CamundaEngine.builder().baseUrl(withUserInfo))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseUrl").hasMessageContaining("basicAuth")
        .hasMessageNotContaining("s3cr3t");
    EngineConfig config = EngineConfig.fromMap(Map.of("POLYWORKER_ENGINE", "camunda",
        "POLYWORKER_URL", withUserInfo));
    assertThatThrownBy(() -> Engines.fromConfig(config))
        .isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("polyworker.url").hasMessageContaining("POLYWORKER_URL")
        .hasMessageContaining("POLYWORKER_USERNAME / POLYWORKER_PASSWORD")
        .hasMessageNotContaining("s3cr3t");
    assertThat(config.toString()).contains("camunda.example").doesNotContain("s3cr3t");
  }

  @Test
  void aUrlWithoutSchemeIsAConfigurationErrorNamingTheSettingAndTheValue() {
    for (String url : List.of("localhost:8080/engine-rest", "127.0.0.1:8080/engine-rest", "camunda.example/engine-rest")) {
      EngineConfig config = EngineConfig.fromMap(Map.of("POLYWORKER_ENGINE", "camunda", "POLYWORKER_URL", url));
      assertThatThrownBy(() -> Engines.fromConfig(config))
          .as(url)
          .isExactlyInstanceOf(PolyworkerException.class)
          .hasMessageContaining("setting polyworker.url (environment variable POLYWORKER_URL)")
          .hasMessageContaining(url)
          .hasMessageContaining("http://");
      assertThatThrownBy(() -> CamundaEngine.builder().baseUrl(url))
          .as(url)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("baseUrl").hasMessageContaining(url).hasMessageContaining("http://");
    }
    EngineConfig withSecret = EngineConfig.fromMap(Map.of("POLYWORKER_ENGINE", "camunda",
        "POLYWORKER_URL", "demo:s3cr3t@camunda.example/engine-rest"));
    assertThatThrownBy(() -> Engines.fromConfig(withSecret))
        .isExactlyInstanceOf(PolyworkerException.class)
        .hasMessageContaining("POLYWORKER_URL").hasMessageNotContaining("s3cr3t");
  }
}
