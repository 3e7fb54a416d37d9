package io.polyworker.reliability;

import static io.polyworker.WorkerEvent.Type.COMPLETED;
import static io.polyworker.WorkerEvent.Type.POLL_ERROR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.polyworker.AuthenticationException;
import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.PolyworkerException;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerOptions;
import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.EventRecorder;
import io.polyworker.reliability.support.LogCapture;
import io.polyworker.reliability.support.Measured;
import io.polyworker.reliability.support.Outcome;
import io.polyworker.reliability.support.ZeebeUnderTest;
import io.polyworker.testkit.engines.TlsTerminator;
import io.polyworker.zeebe.ZeebeEngine;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Security against Zeebe: the OAuth2 client secret never leaks; TLS with a custom CA certificate works. */
class ZeebeSecurityTest {

  @Test
  @DisplayName("a business key Zeebe cannot keep is said to be ignored, and appears in no log line")
  void businessKeysAreNeverLogged() throws Exception {
    String businessKey = LogCapture.secret("customer-");
    ZeebeUnderTest zeebe = new ZeebeUnderTest();
    String key = EngineUnderTest.unique("bk");
    try (Engine engine = zeebe.connect(); LogCapture capture = new LogCapture()) {
      zeebe.deploySingleTask(engine, key, EngineUnderTest.unique("bk_t"));
      engine.processClient().startProcess(key, Map.of(), businessKey);
      assertThat(capture.text()).contains("Zeebe has no business keys").doesNotContain(businessKey);
    }
  }

  @Test
  @DisplayName("an OAuth2 client secret refused by the token endpoint appears in no log line, message or toString()")
  void clientSecretNeverLeaks() throws Exception {
    String secret = LogCapture.secret("zsec-");
    AtomicInteger tokenStatus = new AtomicInteger(401);
    List<String> tokenRequests = new CopyOnWriteArrayList<>();
    HttpServer tokens = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    tokens.createContext("/token", exchange -> {
      try (exchange) {
        tokenRequests.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        byte[] body = (tokenStatus.get() == 401 ? "{\"error\":\"invalid_client\",\"error_description\":\"client authentication failed\"}"
            : "{\"error\":\"server_error\"}").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(tokenStatus.get(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    tokens.start();
    ZeebeUnderTest zeebe = new ZeebeUnderTest();
    URI tokenUrl = URI.create("http://127.0.0.1:" + tokens.getAddress().getPort() + "/token");
    List<String> texts = new ArrayList<>();
    String log;
    try (LogCapture capture = new LogCapture()) {
      EventRecorder events = new EventRecorder();
      try (Engine engine = ZeebeEngine.builder().grpcAddress(URI.create("http://127.0.0.1:" + zeebe.port())).plaintext()
          .oauth2(tokenUrl, "polyworker-client", secret, "zeebe-api").build()) {
        texts.add(engine.toString());
        assertThatThrownBy(() -> engine.processClient().startProcess("anything", Map.of()))
            .isInstanceOf(AuthenticationException.class).satisfies(e -> texts.add(LogCapture.stackTrace(e)));
        try (JobWorker worker = JobWorker.builder(engine).options(WorkerOptions.builder().workerId("oauth-worker")
                .pollErrorBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).listener(events).build())
            .subscribe("oauth-topic", job -> JobResult.complete()).build().start()) {
          await().atMost(Duration.ofSeconds(20)).until(() -> events.count(POLL_ERROR) >= 3);
          tokenStatus.set(500);
          long before = events.count(POLL_ERROR);
          await().atMost(Duration.ofSeconds(20)).until(() -> events.count(POLL_ERROR) >= before + 3);
          texts.add(worker.toString());
        }
      }
      for (WorkerEvent e : events.of(POLL_ERROR)) {
        texts.add(e.toString());
        texts.add(LogCapture.stackTrace(e.error()));
      }
      EngineConfig config = EngineConfig.fromMap(Map.of("polyworker.engine", "zeebe",
          "polyworker.url", "http://127.0.0.1:" + zeebe.port(), "polyworker.oauth.client-id", "polyworker-client",
          "polyworker.oauth.client-secret", secret, "polyworker.oauth.token-url", tokenUrl.toString(),
          "polyworker.oauth.audience", "zeebe-api"));
      texts.add(config.toString());
      try (Engine configured = Engines.fromConfig(config)) {
        texts.add(configured.toString());
        assertThatThrownBy(() -> configured.processClient().startProcess("anything", Map.of()))
            .isInstanceOf(PolyworkerException.class).satisfies(e -> texts.add(LogCapture.stackTrace(e)));
      }
      log = capture.text();
    } finally {
      tokens.stop(0);
    }
    texts.add(log);
    assertThat(tokenRequests).as("the secret was really sent to the token endpoint")
        .anyMatch(body -> body.contains(secret));
    Measured.report("secrets/zeebe", "OAuth2 client credentials refused (401, then 500) by the token endpoint: "
        + "%d token requests, %d characters of log output and %d messages, stack traces and toString()s: "
        + "no client secret found", tokenRequests.size(), log.length(), texts.size() - 1);
    assertThat(String.join("\n", texts)).doesNotContain(secret);
  }

  @Test
  @DisplayName("TLS with a custom CA certificate: a job runs end to end over gRPC through a TLS endpoint")
  void tlsWithCustomCa() {
    ZeebeUnderTest zeebe = new ZeebeUnderTest();
    try (TlsTerminator tls = TlsTerminator.to(zeebe.port(), "h2")) {
      try (Engine untrusting = ZeebeEngine.builder().grpcAddress(URI.create("https://127.0.0.1:" + tls.port()))
          .requestTimeout(Duration.ofSeconds(5)).build()) {
        assertThatThrownBy(() -> untrusting.processClient().startProcess("anything", Map.of()))
            .isInstanceOf(PolyworkerException.class);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> tls.failedHandshakes() > 0);
      long refused = tls.failedHandshakes();
      String key = EngineUnderTest.unique("ztls");
      String topic = EngineUnderTest.unique("ztls_t");
      try (Engine engine = ZeebeEngine.builder().grpcAddress(URI.create("https://127.0.0.1:" + tls.port()))
          .caCertificatePath(tls.certificatePem()).build()) {
        zeebe.deploySingleTask(engine, key, topic);
        String instance = engine.processClient().startProcess(key, Map.of("secret", "over TLS"));
        EventRecorder events = new EventRecorder();
        try (JobWorker worker = JobWorker.builder(engine).listener(events)
            .subscribe(topic, job -> JobResult.complete(Map.of("echo", job.variables().get("secret", String.class))))
            .build().start()) {
          await().atMost(Duration.ofSeconds(30)).until(() -> events.count(COMPLETED) == 1);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
            .until(() -> "COMPLETED".equals(zeebe.ledger(key).get(instance).state()));
        Outcome o = zeebe.ledger(key).get(instance);
        assertThat(o.completions()).isEqualTo(1);
        assertThat(tls.handshakes()).isPositive();
        assertThat(tls.lastApplicationProtocol()).isEqualTo("h2");
        Measured.report("tls/zeebe", "deploy, start, activate and complete over gRPC through the TLS endpoint with "
            + "caCertificatePath = its self-signed certificate: %d handshake(s), ALPN %s, engine completions %d; "
            + "without the CA the client was refused (%d failed handshake(s))", tls.handshakes(),
            tls.lastApplicationProtocol(), o.completions(), refused);
      }
    }
  }
}
