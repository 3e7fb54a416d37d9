package io.polyworker.reliability;

import static io.polyworker.WorkerEvent.Type.COMPLETED;
import static io.polyworker.WorkerEvent.Type.POLL_ERROR;
import static io.polyworker.WorkerEvent.Type.REPORT_FAILED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.EngineUnavailableException;
import io.polyworker.engine.Engines;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.PolyworkerException;
import io.polyworker.SubscriptionOptions;
import io.polyworker.UnreadableValue;
import io.polyworker.VariableException;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerOptions;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.reliability.support.CamundaJson;
import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.EventRecorder;
import io.polyworker.reliability.support.FakeEngine;
import io.polyworker.reliability.support.FakeEngine.Answer;
import io.polyworker.reliability.support.LogCapture;
import io.polyworker.reliability.support.Measured;
import io.polyworker.reliability.support.Outcome;
import io.polyworker.testkit.engines.TlsTerminator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Security against Camunda: credentials never reach logs, exception messages or {@code toString()};
 * TLS with a custom trust store works end to end; engine data is never Java-deserialized.
 */
class CamundaSecurityTest {
  private static final String TOPIC = "secure";

  private static String secret(String prefix) {
    return LogCapture.secret(prefix);
  }

  private static String stackTrace(Throwable t) {
    return LogCapture.stackTrace(t);
  }

  /** Runs a worker against the fake answering 401, then 500, then one job whose reports get 401 until given up. */
  private static void failingRun(Engine engine, FakeEngine fake, List<String> texts) {
    EventRecorder events = new EventRecorder();
    fake.answer(Answer.json(401, "{\"type\":\"AuthenticationException\",\"message\":\"Unauthorized\"}"));
    fake.answerOthers(Answer.json(401, "{\"type\":\"AuthenticationException\",\"message\":\"Unauthorized\"}"));
    JobWorker worker = JobWorker.builder(engine).options(WorkerOptions.builder().workerId("sec-worker")
            .pollErrorBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
            // A 401 on a report is retried like any error that does not refuse the result itself:
            // give up soon, so that the run also shows the final REPORT_FAILED.
            .reportRetryTimeout(Duration.ofSeconds(1)).listener(events).build())
        .subscribe(TOPIC, job -> JobResult.complete(Map.of("done", true)),
            SubscriptionOptions.builder().maxConcurrentJobs(1).build())
        .build().start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> events.count(POLL_ERROR) >= 3);
      fake.answer(Answer.json(500, "{\"type\":\"ProcessEngineException\",\"message\":\"database down\"}"));
      long before = events.count(POLL_ERROR);
      await().atMost(Duration.ofSeconds(10)).until(() -> events.count(POLL_ERROR) >= before + 3);
      fake.answer(Answer.json(200, "[]"));
      fake.answerOnce(Answer.json(200, "[" + CamundaJson.task("job-1", TOPIC, "{}") + "]"));
      await().atMost(Duration.ofSeconds(10)).until(() -> events.count(REPORT_FAILED) >= 1);
      texts.add(worker.toString());
    } finally {
      worker.close();
    }
    for (WorkerEvent.Type type : WorkerEvent.Type.values()) {
      for (WorkerEvent e : events.of(type)) {
        texts.add(e.toString());
        if (e.error() != null) {
          texts.add(stackTrace(e.error()));
        }
      }
    }
    texts.add(engine.toString());
  }

  @Test
  @DisplayName("passwords, tokens and client secrets appear in no log line, exception message or toString()")
  void secretsNeverLeak() throws Exception {
    String password = secret("pw-");
    String token = secret("tok-");
    String clientSecret = secret("sec-");
    String basic = Base64.getEncoder().encodeToString(("alice:" + password).getBytes(StandardCharsets.UTF_8));
    List<String> texts = new ArrayList<>();
    String log;
    try (FakeEngine fake = FakeEngine.camunda(); LogCapture capture = new LogCapture()) {
      try (Engine basicEngine = CamundaEngine.builder().baseUrl(fake.camundaUrl()).basicAuth("alice", password).build()) {
        failingRun(basicEngine, fake, texts);
      }
      try (Engine bearerEngine = CamundaEngine.builder().baseUrl(fake.camundaUrl()).bearerToken(token).build()) {
        failingRun(bearerEngine, fake, texts);
      }
      EngineConfig config = EngineConfig.fromMap(Map.of("polyworker.engine", "camunda",
          "polyworker.url", fake.camundaUrl(), "polyworker.username", "alice", "polyworker.password", password));
      texts.add(config.toString());
      try (Engine configured = Engines.fromConfig(config)) {
        failingRun(configured, fake, texts);
      }
      // OAuth2 is not a Camunda option: the refusal must not quote the secret either.
      EngineConfig oauth = EngineConfig.fromMap(Map.of("polyworker.engine", "camunda", "polyworker.url", fake.camundaUrl(),
          "polyworker.oauth.client-id", "client", "polyworker.oauth.client-secret", clientSecret,
          "polyworker.oauth.token-url", "http://127.0.0.1:1/token"));
      texts.add(oauth.toString());
      assertThatThrownBy(() -> Engines.fromConfig(oauth).close()).isInstanceOf(PolyworkerException.class)
          .satisfies(e -> texts.add(stackTrace(e)));
      assertThat(fake.fetchAuthorizations()).as("the secrets were really used")
          .contains("Basic " + basic, "Bearer " + token);
      log = capture.text();
    }
    texts.add(log);
    String all = String.join("\n", texts);
    Measured.report("secrets/camunda", "%d characters of log output (io.polyworker at DEBUG) and %d messages, stack "
        + "traces and toString()s of a run against 401 and 500 answers with basic, bearer and configured auth: "
        + "no password, token, client secret or Basic credential found", log.length(), texts.size() - 1);
    assertThat(log).as("the run logged its failures").contains("401").contains("500");
    assertThat(all).doesNotContain(password).doesNotContain(token).doesNotContain(clientSecret).doesNotContain(basic);
  }

  @Test
  @DisplayName("TLS with a custom trust store: a job runs end to end through a TLS endpoint; the default trust store refuses it")
  void tlsWithCustomTrustStore() {
    CamundaUnderTest camunda = new CamundaUnderTest();
    OkHttpClient trusting = null;
    try (TlsTerminator tls = TlsTerminator.to(camunda.port(), "http/1.1")) {
      trusting = new OkHttpClient.Builder()
          .sslSocketFactory(tls.clientContext().getSocketFactory(), tls.trustManager()).build();
      String key = EngineUnderTest.unique("tls");
      String topic = EngineUnderTest.unique("tls_t");
      try (Engine untrusting = CamundaEngine.builder().baseUrl(tls.httpsUrl() + "/engine-rest")
          .connectTimeout(Duration.ofSeconds(2)).build()) {
        assertThatThrownBy(() -> untrusting.processClient().startProcess("anything", Map.of()))
            .isInstanceOf(EngineUnavailableException.class)
            .hasMessageContaining("SSLHandshakeException");
      }
      // The server side of the refused handshake ends a moment after the client gave up.
      await().atMost(Duration.ofSeconds(10)).until(() -> tls.failedHandshakes() > 0);
      try (Engine engine = CamundaEngine.builder().baseUrl(tls.httpsUrl() + "/engine-rest").httpClient(trusting).build()) {
        camunda.deploySingleTask(engine, key, topic);
        String instance = engine.processClient().startProcess(key, Map.of("secret", "over TLS"));
        EventRecorder events = new EventRecorder();
        try (JobWorker worker = JobWorker.builder(engine).listener(events)
            .subscribe(topic, job -> JobResult.complete(Map.of("echo", job.variables().get("secret", String.class))),
                SubscriptionOptions.builder().longPollTimeout(Duration.ofSeconds(1)).build())
            .build().start()) {
          await().atMost(Duration.ofSeconds(30)).until(() -> events.count(COMPLETED) == 1);
        }
        Outcome o = camunda.ledger(key).get(instance);
        assertThat(o.completions()).isEqualTo(1);
        assertThat(tls.handshakes()).isPositive();
        assertThat(tls.lastApplicationProtocol()).isEqualTo("http/1.1");
        Measured.report("tls/camunda", "deploy, start, fetch and complete through the TLS endpoint with a trust "
            + "store holding only its self-signed certificate: %d handshake(s), ALPN %s, engine completions %d; "
            + "the JDK default trust store was refused (%d failed handshake(s))", tls.handshakes(),
            tls.lastApplicationProtocol(), o.completions(), tls.failedHandshakes());
      }
    } finally {
      if (trusting != null) {
        trusting.dispatcher().executorService().shutdown();
        trusting.connectionPool().evictAll();
      }
    }
  }

  @Test
  @DisplayName("a Java-serialized object variable reaches the handler unreadable and is never deserialized")
  void javaSerializedObjectsAreNeverDeserialized() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new Gadget());
    }
    String payload = Base64.getEncoder().encodeToString(bytes.toByteArray());
    Gadget.triggered = false;

    // The real engine refuses to store Java-serialized values by default.
    CamundaUnderTest camunda = new CamundaUnderTest();
    String key = EngineUnderTest.unique("gadget");
    try (Engine admin = camunda.connect()) {
      camunda.deploySingleTask(admin, key, key + "_t");
      assertThatThrownBy(() -> io.polyworker.reliability.support.RestJson.post(camunda.restUrl()
          + "/process-definition/key/" + key + "/start", Map.of("variables", Map.of("gadget", Map.of("type", "Object",
              "value", payload, "valueInfo", Map.of("objectTypeName", Gadget.class.getName(),
                  "serializationDataFormat", "application/x-java-serialized-object")))), 200))
          .hasMessageContaining("Java serialization format is prohibited");
    }

    // An engine that sends one anyway (a fake): the worker must not deserialize it.
    Map<String, Object> seen = new ConcurrentHashMap<>();
    EventRecorder events = new EventRecorder();
    try (FakeEngine fake = FakeEngine.camunda();
         Engine engine = CamundaEngine.builder().baseUrl(fake.camundaUrl()).build()) {
      String variables = "{\"gadget\":{\"type\":\"Object\",\"value\":\"" + payload + "\",\"valueInfo\":{\"objectTypeName\":\""
          + Gadget.class.getName() + "\",\"serializationDataFormat\":\"application/x-java-serialized-object\"}},"
          + "\"raw\":{\"type\":\"Bytes\",\"value\":\"" + payload + "\",\"valueInfo\":{}}}";
      fake.answerOnce(Answer.json(200, "[" + CamundaJson.task("gadget-1", TOPIC, variables) + "]"));
      try (JobWorker worker = JobWorker.builder(engine).listener(events).subscribe(TOPIC, job -> {
        seen.put("asMap", job.variables().asMap().get("gadget"));
        seen.put("raw", job.variables().get("raw", byte[].class));
        try {
          job.variables().get("gadget", Gadget.class);
          seen.put("typed", "returned a value");
        } catch (VariableException e) {
          seen.put("typed", e);
        }
        try {
          job.variables().get("gadget");
          seen.put("plain", "returned a value");
        } catch (VariableException e) {
          seen.put("plain", e);
        }
        return JobResult.complete();
      }).build().start()) {
        await().atMost(Duration.ofSeconds(10)).until(() -> events.count(COMPLETED) == 1);
      }
    }
    assertThat(Gadget.triggered).as("the gadget was deserialized").isFalse();
    assertThat(seen.get("asMap")).isInstanceOf(UnreadableValue.class);
    assertThat(seen.get("typed")).isInstanceOf(VariableException.class);
    assertThat(((VariableException) seen.get("typed")).getMessage()).contains("gadget");
    assertThat(seen.get("plain")).isInstanceOf(VariableException.class);
    assertThat((byte[]) seen.get("raw")).isEqualTo(bytes.toByteArray());

    // Control: the payload is armed; deserializing it for real trips the flag.
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      in.readObject();
    }
    assertThat(Gadget.triggered).isTrue();
    Gadget.triggered = false;
    Measured.report("java-deserialization/camunda", "Camunda refuses to store it ('Java serialization format is "
        + "prohibited'); from a fake engine it reached the handler as %s, typed get: %s; the flag stayed false "
        + "(and deserializing the same bytes directly does set it)", seen.get("asMap"),
        ((Throwable) seen.get("typed")).getMessage());
  }
}
