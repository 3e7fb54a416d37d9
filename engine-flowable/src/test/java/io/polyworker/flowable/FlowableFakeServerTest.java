package io.polyworker.flowable;

import io.polyworker.internal.DefaultVariables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.AuthenticationException;
import io.polyworker.BackPressureException;
import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.EngineUnavailableException;
import io.polyworker.engine.Engines;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.DeploymentResource;
import io.polyworker.JobAlreadyCompletedException;
import io.polyworker.JobLockLostException;
import io.polyworker.MalformedAnswerException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ResultRejectedException;
import io.polyworker.UnreadableValue;
import io.polyworker.VariableException;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the client sends and how it reads answers a real server rarely gives: broken JSON, missing
 * fields, unknown variable types, every error status, dropped connections. A fake HTTP server stands
 * in for Flowable; the answers copy the shapes Flowable 7.2 was seen to send.
 */
class FlowableFakeServerTest {
  private static final String JOB = """
      {"id":"j1","url":"http://x/external-job-api/jobs/j1","correlationId":"c1",
       "processInstanceId":"pi1","processDefinitionId":"order:3:0f7a-11","executionId":"e1",
       "scopeId":null,"subScopeId":null,"scopeDefinitionId":null,"scopeType":null,
       "elementId":"work","elementName":"Work","retries":3,"exceptionMessage":null,"dueDate":null,
       "createTime":"2026-11-21T20:54:11.328Z","tenantId":"","lockOwner":"w1",
       "lockExpirationTime":"2026-11-21T20:54:43.219Z","variables":%s}""";

  private MockWebServer server;
  private Engine engine;

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.start();
    engine = FlowableEngine.builder().baseUrl(server.url("/").toString()).build();
  }

  @AfterEach
  void stop() throws IOException {
    engine.close();
    server.shutdown();
  }

  private static LockedJob job(String scopeType) {
    return LockedJob.builder().engine("flowable").id("j1").topic("t").processInstanceId("pi1")
        .elementId("work").lockExpiresAt(Instant.now().plusSeconds(30)).scopeType(scopeType)
        .nativeJob("n/a").build();
  }

  private void answer(int status, String body) {
    server.enqueue(new MockResponse().setResponseCode(status)
        .setHeader("Content-Type", "application/json").setBody(body));
  }

  private List<LockedJob> fetch(Engine e) {
    try {
      return e.jobClient().fetchAndLock(FetchRequest.of("w1", "t", 5, Duration.ofSeconds(30)))
          .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException x) {
      throw (RuntimeException) x.getCause();
    } catch (Exception x) {
      throw new IllegalStateException(x);
    }
  }

  private List<LockedJob> fetch() {
    return fetch(engine);
  }

  private static JsonNode json(RecordedRequest request) throws IOException {
    return TestHttp.JSON.readTree(request.getBody().readUtf8());
  }

  // ---------------------------------------------------------------- requests

  @Test
  void acquireAsksForBothScopesWithAnIsoLockDuration() throws Exception {
    answer(200, "[]");
    assertThat(fetch()).isEmpty();
    RecordedRequest request = server.takeRequest();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getPath()).isEqualTo("/external-job-api/acquire/jobs");
    assertThat(request.getHeader("Authorization")).isNull();
    JsonNode body = json(request);
    assertThat(body.get("topic").asText()).isEqualTo("t");
    assertThat(body.get("lockDuration").asText()).isEqualTo("PT30S");
    assertThat(body.get("numberOfTasks").asInt()).isEqualTo(5);
    assertThat(body.get("workerId").asText()).isEqualTo("w1");
    assertThat(body.has("scopeType")).isFalse();
  }

  @Test
  void resultsGoToTheirEndpointsWithTheirFields() throws Exception {
    for (int i = 0; i < 5; i++) {
      server.enqueue(new MockResponse().setResponseCode(204));
    }
    var client = engine.jobClient();
    client.complete(job("bpmn"), "w1", Map.of("n", 1), Map.of());
    client.fail(job("bpmn"), "w1", "boom", "trace", 2, Duration.ofSeconds(90));
    client.bpmnError(job("bpmn"), "w1", "NO_STOCK", "ignored by Flowable", Map.of("why", "gone"));
    client.terminate(job("cmmn"), "w1", Map.of("done", true));
    client.release(job("bpmn"), "w1");

    RecordedRequest complete = server.takeRequest();
    assertThat(complete.getPath()).isEqualTo("/external-job-api/acquire/jobs/j1/complete");
    assertThat(json(complete).toString())
        .isEqualTo("{\"workerId\":\"w1\",\"variables\":[{\"name\":\"n\",\"type\":\"integer\",\"value\":1}]}");
    RecordedRequest fail = server.takeRequest();
    assertThat(fail.getPath()).isEqualTo("/external-job-api/acquire/jobs/j1/fail");
    assertThat(json(fail).toString()).isEqualTo("{\"workerId\":\"w1\",\"errorMessage\":\"boom\","
        + "\"errorDetails\":\"trace\",\"retries\":2,\"retryTimeout\":\"PT1M30S\"}");
    RecordedRequest error = server.takeRequest();
    assertThat(error.getPath()).isEqualTo("/external-job-api/acquire/jobs/j1/bpmnError");
    assertThat(json(error).toString()).isEqualTo("{\"workerId\":\"w1\",\"errorCode\":\"NO_STOCK\","
        + "\"variables\":[{\"name\":\"why\",\"type\":\"string\",\"value\":\"gone\"}]}");
    RecordedRequest terminate = server.takeRequest();
    assertThat(terminate.getPath()).isEqualTo("/external-job-api/acquire/jobs/j1/cmmnTerminate");
    assertThat(json(terminate).path("variables").get(0).path("type").asText()).isEqualTo("boolean");
    RecordedRequest release = server.takeRequest();
    assertThat(release.getPath()).isEqualTo("/external-job-api/unacquire/jobs/j1");
    assertThat(json(release).toString()).isEqualTo("{\"workerId\":\"w1\"}");
  }

  @Test
  void aBpmnErrorMessageFlowableCannotTakeIsSaidOnceNotDroppedSilently() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(204));
    server.enqueue(new MockResponse().setResponseCode(204));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple's default target
    try {
      engine.jobClient().bpmnError(job("bpmn"), "w1", "NO_STOCK", "shelf 4 is empty", Map.of());
      engine.jobClient().bpmnError(job("bpmn"), "w1", "NO_STOCK", "shelf 5 is empty", Map.of());
    } finally {
      System.setErr(stderr);
    }
    // Flowable 7.2's bpmnError request (ExternalWorkerJobErrorRequest) has errorCode and variables only.
    assertThat(json(server.takeRequest()).has("errorMessage")).isFalse();
    List<String> lines = log.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains("io.polyworker.engine.flowable")).toList();
    assertThat(lines).singleElement().satisfies(line -> assertThat(line)
        .contains("INFO").contains("no field for an error message").contains("NO_STOCK")
        .doesNotContain("shelf"));
  }

  @Test
  void apiPathsCanBeMovedBelowTheRoot() throws Exception {
    try (Engine moved = FlowableEngine.builder().baseUrl(server.url("/flowable-rest/").toString())
        .externalJobApiPath("/jobs-api/v1").processApiPath("service").build()) {
      answer(200, "[]");
      fetch(moved);
      assertThat(server.takeRequest().getPath()).isEqualTo("/flowable-rest/jobs-api/v1/acquire/jobs");
      answer(400, "{\"message\":\"Bad request\",\"exception\":\"No process definition found for key 'x'\"}");
      assertThatThrownBy(() -> moved.processClient().startProcess("x", Map.of()))
          .isInstanceOf(NotFoundException.class);
      assertThat(server.takeRequest().getPath()).isEqualTo("/flowable-rest/service/runtime/process-instances");
    }
  }

  @Test
  void basicAuthIsSentOnEveryRequest() throws Exception {
    try (Engine e = FlowableEngine.builder().baseUrl(server.url("/").toString())
        .basicAuth("rest-admin", "s3cret").build()) {
      answer(200, "[]");
      fetch(e);
      assertThat(server.takeRequest().getHeader("Authorization"))
          .isEqualTo(okhttp3.Credentials.basic("rest-admin", "s3cret"));
      assertThat(e.toString()).doesNotContain("s3cret");
    }
  }

  @Test
  void theTokenSupplierIsAskedOnEveryRequest() throws Exception {
    AtomicInteger issued = new AtomicInteger();
    try (Engine e = FlowableEngine.builder().baseUrl(server.url("/").toString())
        .tokenSupplier(() -> "token-" + issued.incrementAndGet()).build()) {
      answer(200, "[]");
      answer(200, "[]");
      fetch(e);
      fetch(e);
      assertThat(server.takeRequest().getHeader("Authorization")).isEqualTo("Bearer token-1");
      assertThat(server.takeRequest().getHeader("Authorization")).isEqualTo("Bearer token-2");
    }
  }

  @Test
  void aFailingTokenSupplierIsAnAuthenticationErrorWithoutItsMessage() {
    try (Engine e = FlowableEngine.builder().baseUrl(server.url("/").toString())
        .tokenSupplier(() -> {
          throw new IllegalStateException("refresh token abc123 rejected");
        }).build()) {
      assertThatThrownBy(() -> fetch(e))
          .isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("token supplier")
          .hasMessageNotContaining("abc123");
      assertThatThrownBy(() -> e.jobClient().complete(job("bpmn"), "w1", Map.of(), Map.of()))
          .isInstanceOf(AuthenticationException.class);
    }
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void cancellingTheFetchCancelsTheHttpCall() {
    AtomicInteger cancelled = new AtomicInteger();
    OkHttpClient watched = new OkHttpClient.Builder().eventListener(new EventListener() {
      @Override
      public void canceled(Call call) {
        cancelled.incrementAndGet();
      }
    }).build();
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    try (Engine e = FlowableEngine.builder().baseUrl(server.url("/").toString()).httpClient(watched).build()) {
      CompletableFuture<List<LockedJob>> f =
          e.jobClient().fetchAndLock(FetchRequest.of("w1", "t", 1, Duration.ofSeconds(30)));
      await().atMost(Duration.ofSeconds(5)).until(() -> server.getRequestCount() == 1);
      assertThat(f.cancel(true)).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> cancelled.get() == 1);
    } finally {
      watched.dispatcher().executorService().shutdown();
      watched.connectionPool().evictAll();
    }
  }

  // ---------------------------------------------------------------- answers

  @Test
  void aJobIsReadWithAllItsFields() {
    answer(200, "[" + JOB.formatted("""
        [{"name":"s","type":"string","value":"x"},{"name":"i","type":"integer","value":42},
         {"name":"l","type":"long","value":9000000000},{"name":"sh","type":"short","value":7},
         {"name":"d","type":"double","value":1.5},{"name":"b","type":"boolean","value":true},
         {"name":"dt","type":"date","value":"2024-01-02T03:04:05Z"},
         {"name":"in","type":"instant","value":"2024-01-02T03:04:05.678Z"},
         {"name":"ld","type":"localDate","value":"2024-01-02"},
         {"name":"ldt","type":"localDateTime","value":"2024-01-02T03:04:05"},
         {"name":"bd","type":"bigDecimal","value":"1.25"},
         {"name":"bi","type":"bigInteger","value":"123456789012345678901234567890"},
         {"name":"j","type":"json","value":{"a":[1,2,{"b":null}]}},
         {"name":"n","value":null},
         {"name":"ser","type":"serializable","value":null},
         {"name":"odd","type":"quaternion","value":[1,0,0,0]},
         {"name":"bad","type":"integer","value":"forty-two"}]""") + "]");
    LockedJob job = fetch().get(0);
    assertThat(job.engine()).isEqualTo("flowable");
    assertThat(job.id()).isEqualTo("j1");
    assertThat(job.topic()).isEqualTo("t");
    assertThat(job.processInstanceId()).isEqualTo("pi1");
    assertThat(job.processDefinitionKey()).isEqualTo("order");
    assertThat(job.elementId()).isEqualTo("work");
    assertThat(job.businessKey()).isNull();
    assertThat(job.tenantId()).isNull();
    assertThat(job.retries()).isEqualTo(3);
    assertThat(job.lockExpiresAt()).isEqualTo(Instant.parse("2026-11-21T20:54:43.219Z"));
    assertThat(job.scopeType()).isEqualTo(LockedJob.BPMN);
    assertThat(job.nativeJob()).isInstanceOf(JsonNode.class);
    assertThat(((JsonNode) job.nativeJob()).path("elementName").asText()).isEqualTo("Work");

    Map<String, Object> v = job.variables();
    assertThat(v).containsEntry("s", "x").containsEntry("i", 42).containsEntry("l", 9_000_000_000L)
        .containsEntry("sh", (short) 7).containsEntry("d", 1.5).containsEntry("b", true)
        .containsEntry("dt", Instant.parse("2024-01-02T03:04:05Z"))
        .containsEntry("in", Instant.parse("2024-01-02T03:04:05.678Z"))
        .containsEntry("ld", java.time.LocalDate.of(2024, 1, 2))
        .containsEntry("ldt", java.time.LocalDateTime.of(2024, 1, 2, 3, 4, 5))
        .containsEntry("bd", new java.math.BigDecimal("1.25"))
        .containsEntry("bi", new java.math.BigInteger("123456789012345678901234567890"))
        .containsEntry("j", Map.of("a", List.of(1, 2, java.util.Collections.singletonMap("b", null))))
        .containsEntry("n", null);
    assertThat(v.get("ser")).isInstanceOfSatisfying(UnreadableValue.class,
        u -> assertThat(u.reason()).contains("JSON"));
    assertThat(v.get("odd")).isInstanceOfSatisfying(UnreadableValue.class,
        u -> assertThat(u.reason()).contains("quaternion"));
    assertThat(v.get("bad")).isInstanceOfSatisfying(UnreadableValue.class,
        u -> assertThat(u.reason()).contains("forty-two").contains("32-bit integer"));
    var vars = io.polyworker.internal.DefaultVariables.of(v);
    assertThatThrownBy(() -> vars.get("odd")).isInstanceOf(VariableException.class)
        .hasMessageContaining("odd");
  }

  @Test
  void aCmmnJobTakesItsCaseAsInstance() {
    answer(200, """
        [{"id":"j2","processInstanceId":null,"processDefinitionId":null,"scopeId":"case1",
          "subScopeId":"pi","scopeDefinitionId":"c0f72c89-e5ed","scopeType":"cmmn","elementId":"work",
          "retries":3,"tenantId":"acme","lockExpirationTime":"2026-11-21T20:55:03.903Z","variables":[]}]""");
    LockedJob job = fetch().get(0);
    assertThat(job.processInstanceId()).isEqualTo("case1");
    assertThat(job.scopeType()).isEqualTo(LockedJob.CMMN);
    assertThat(job.processDefinitionKey()).isNull();
    assertThat(job.tenantId()).isEqualTo("acme");
  }

  @Test
  void variablesNotAskedForAreDropped() throws Exception {
    answer(200, "[" + JOB.formatted("[{\"name\":\"a\",\"type\":\"integer\",\"value\":1},"
        + "{\"name\":\"b\",\"type\":\"integer\",\"value\":2}]") + "]");
    FetchRequest request = new FetchRequest("w1", "t", 1, Duration.ofSeconds(30), List.of("a"),
        Duration.ZERO, null, null, null, false);
    LockedJob job = engine.jobClient().fetchAndLock(request).get(10, TimeUnit.SECONDS).get(0);
    assertThat(job.variables()).containsOnlyKeys("a");
  }

  @Test
  void anAnswerThatIsNotJsonIsMalformed() {
    server.enqueue(new MockResponse().setBody("<html><body>Login</body></html>"));
    assertThatThrownBy(this::fetch).isInstanceOfSatisfying(MalformedAnswerException.class, e -> {
      assertThat(e.engine()).isEqualTo("flowable");
      assertThat(e.operation()).isEqualTo("acquire");
      assertThat(e.status()).isEqualTo(200);
      assertThat(e.answerExcerpt()).contains("Login");
    });
  }

  @Test
  void truncatedJsonIsMalformed() {
    answer(200, "[{\"id\":\"j1\",\"elementId\":");
    assertThatThrownBy(this::fetch).isInstanceOf(MalformedAnswerException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void anEmptyAnswerToAcquireIsMalformed() {
    answer(200, "");
    assertThatThrownBy(this::fetch).isInstanceOf(MalformedAnswerException.class)
        .hasMessageContaining("empty answer");
  }

  /** Fetches one answer that must hold exactly one unreadable job, and returns why it is unreadable. */
  private String unreadable(String body) {
    answer(200, body);
    List<LockedJob> jobs = fetch();
    assertThat(jobs).hasSize(1);
    MalformedAnswerException error = jobs.get(0).readError();
    assertThat(error).as("read error of " + body).isNotNull();
    assertThat(error.engine()).isEqualTo("flowable");
    return error.getMessage();
  }

  @Test
  void aJobWithoutAnIdFailsTheAcquire() {
    answer(200, "[{\"processInstanceId\":\"pi\",\"elementId\":\"e\",\"lockExpirationTime\":\"2026-11-21T20:54:43Z\"}]");
    assertThatThrownBy(this::fetch).isInstanceOf(MalformedAnswerException.class)
        .hasMessageContaining("a job: field 'id' is missing");
  }

  @Test
  void missingFieldsMakeAnUnreadableJobThatNamesThem() {
    assertThat(unreadable("[{\"id\":\"j1\",\"processInstanceId\":\"pi\",\"lockExpirationTime\":\"2026-11-21T20:54:43Z\"}]"))
        .contains("job j1: field 'elementId' is missing");
    assertThat(unreadable("[{\"id\":\"j1\",\"processInstanceId\":\"pi\",\"elementId\":\"e\"}]"))
        .contains("'lockExpirationTime' is missing");
    assertThat(unreadable("[{\"id\":\"j1\",\"elementId\":\"e\",\"lockExpirationTime\":\"2026-11-21T20:54:43Z\"}]"))
        .contains("'processInstanceId' (or 'scopeId') is missing");
    assertThat(unreadable("[{\"id\":\"j1\",\"processInstanceId\":\"pi\",\"elementId\":\"e\",\"lockExpirationTime\":\"soon\"}]"))
        .contains("not an ISO-8601 date-time: soon");
  }

  @Test
  void anUnreadableJobKeepsWhatCanBeRead() {
    answer(200, "[{\"id\":\"j1\",\"processInstanceId\":\"pi\",\"retries\":2,"
        + "\"lockExpirationTime\":\"2026-11-21T20:54:43Z\"}," + JOB.formatted("[]") + "]");
    List<LockedJob> jobs = fetch();
    assertThat(jobs).hasSize(2);
    LockedJob bad = jobs.get(0);
    assertThat(bad.id()).isEqualTo("j1");
    assertThat(bad.retries()).isEqualTo(2);
    assertThat(bad.lockExpiresAt()).isEqualTo(java.time.Instant.parse("2026-11-21T20:54:43Z"));
    assertThat(bad.readError()).isNotNull();
    assertThat(jobs.get(1).readError()).as("the good job fetched with it").isNull();
  }

  @Test
  void variablesOfTheWrongShapeMakeAnUnreadableJob() {
    assertThat(unreadable("[" + JOB.formatted("{\"a\":1}") + "]"))
        .contains("'variables' is not an array");
    assertThat(unreadable("[" + JOB.formatted("[{\"type\":\"string\",\"value\":\"x\"}]") + "]"))
        .contains("a variable has no name");
    assertThat(unreadable("[" + JOB.formatted("[{\"name\":\"x\",\"type\":7,\"value\":\"x\"}]") + "]"))
        .contains("variable 'x' has a type that is not a string");
  }

  // ---------------------------------------------------------------- errors

  @Test
  void serverErrorsAreRetryable() {
    answer(500, "{\"message\":\"Internal server error\",\"exception\":\"database is locked\"}");
    assertThatThrownBy(this::fetch).isInstanceOfSatisfying(EngineUnavailableException.class, e -> {
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.status()).isEqualTo(500);
      assertThat(e.detail()).isEqualTo("database is locked");
    });
    answer(503, "<html>maintenance</html>");
    assertThatThrownBy(this::fetch).isInstanceOf(EngineUnavailableException.class)
        .hasMessageContaining("maintenance");
    answer(429, "");
    assertThatThrownBy(this::fetch).isInstanceOf(BackPressureException.class);
  }

  @Test
  void aDroppedConnectionIsRetryable() {
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AT_START));
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AT_START));
    assertThatThrownBy(this::fetch).isInstanceOfSatisfying(EngineUnavailableException.class, e -> {
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.status()).isEqualTo(-1);
    });
  }

  @Test
  void aServerThatIsGoneIsRetryable() throws IOException {
    String url = server.url("/").toString();
    server.shutdown();
    try (Engine gone = FlowableEngine.builder().baseUrl(url).build()) {
      assertThatThrownBy(() -> gone.jobClient().complete(job("bpmn"), "w1", Map.of(), Map.of()))
          .isInstanceOf(EngineUnavailableException.class)
          .hasMessageContaining("complete failed");
    }
  }

  @Test
  void rejectedCredentialsAreAuthenticationErrors() {
    server.enqueue(new MockResponse().setResponseCode(401).setBody(""));
    assertThatThrownBy(this::fetch).isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("(status 401)");
    answer(403, "{\"message\":\"Forbidden\",\"exception\":\"user kermit may not acquire jobs\"}");
    assertThatThrownBy(this::fetch).isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("kermit");
  }

  @Test
  void aLockHeldByNobodyOrSomeoneElseIsALostLock() {
    answer(403, "{\"message\":\"Forbidden\",\"exception\":\"w1 does not hold a lock on the requested job\"}");
    assertThatThrownBy(() -> engine.jobClient().complete(job("bpmn"), "w1", Map.of(), Map.of()))
        .isInstanceOfSatisfying(JobLockLostException.class, e -> {
          assertThat(e.operation()).isEqualTo("complete");
          assertThat(e.status()).isEqualTo(403);
          assertThat(e.answerExcerpt()).contains("does not hold a lock");
        });
  }

  @Test
  void aJobThatIsGoneWasAlreadyCompleted() {
    answer(404, "{\"message\":\"Not found\",\"exception\":\"Could not find external worker job with id 'j1'.\"}");
    assertThatThrownBy(() -> engine.jobClient().fail(job("bpmn"), "w1", "x", null, 0, Duration.ZERO))
        .isInstanceOf(JobAlreadyCompletedException.class)
        .hasMessageContaining("Could not find external worker job");
  }

  @Test
  void credentialsInTheUrlAreRefusedWithoutEchoingThem() {
    String withUserInfo = "https://rest-admin:s3cr3t@flowable.example/flowable-rest";
    assertThatThrownBy(() -> FlowableEngine.builder().baseUrl(withUserInfo))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseUrl").hasMessageContaining("basicAuth")
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> Engines.fromConfig(EngineConfig.fromMap(Map.of(
        "POLYWORKER_ENGINE", "flowable", "POLYWORKER_URL", withUserInfo))))
        .isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("polyworker.url").hasMessageContaining("POLYWORKER_URL")
        .hasMessageContaining("POLYWORKER_USERNAME / POLYWORKER_PASSWORD")
        .hasMessageNotContaining("s3cr3t");
  }

  @Test
  void aUrlWithoutSchemeIsAConfigurationErrorNamingTheSettingAndTheValue() {
    String url = "localhost:8080/flowable-rest";
    assertThatThrownBy(() -> Engines.fromConfig(EngineConfig.fromMap(Map.of(
        "POLYWORKER_ENGINE", "flowable", "POLYWORKER_URL", url))))
        .isExactlyInstanceOf(PolyworkerException.class)
        .hasMessageContaining("setting polyworker.url (environment variable POLYWORKER_URL)")
        .hasMessageContaining("not an http(s) URL: " + url)
        .hasMessageContaining("it needs a scheme: http://");
  }

  @Test
  void aResultOfTheWrongScopeSaysBpmnOrCmmn() {
    answer(400, "{\"message\":\"Bad request\",\"exception\":\"Can only terminate CMMN external job. "
        + "Job with id 'j1' is from scope 'null'\"}");
    assertThatThrownBy(() -> engine.jobClient().terminate(job("bpmn"), "w1", Map.of()))
        .isExactlyInstanceOf(ResultRejectedException.class)
        .hasMessageContaining("terminate applies only to CMMN jobs, and this is a BPMN job");
    answer(400, "{\"message\":\"Bad request\",\"exception\":\"Can only complete BPMN external job with a "
        + "BPMN error. Job with id 'j1' is from scope 'cmmn'\"}");
    assertThatThrownBy(() -> engine.jobClient().bpmnError(job("cmmn"), "w1", "E", null, Map.of()))
        .isExactlyInstanceOf(ResultRejectedException.class)
        .hasMessageContaining("a BPMN error applies only to BPMN jobs, and this is a CMMN job");
  }

  @Test
  void only4xxAboutTheResultsContentAreResultRejections() {
    // Every request gets the current answer: OkHttp itself sends a request again after a 408.
    AtomicReference<MockResponse> current = new AtomicReference<>();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return current.get();
      }
    });
    BiConsumer<Integer, String> always = (status, body) -> current.set(new MockResponse()
        .setResponseCode(status).setHeader("Content-Type", "application/json").setBody(body));
    var client = engine.jobClient();
    String variable = "{\"message\":\"Bad request\",\"exception\":\"Variable 'x' has unsupported type: 'nosuch'.\"}";
    always.accept(400, variable);
    assertThatThrownBy(() -> client.complete(job("bpmn"), "w1", Map.of(), Map.of()))
        .isExactlyInstanceOf(ResultRejectedException.class).hasMessageContaining("Variable 'x'");
    assertThatThrownBy(() -> client.fail(job("bpmn"), "w1", "m", null, 1, Duration.ZERO))
        .isExactlyInstanceOf(ResultRejectedException.class);
    assertThatThrownBy(() -> client.terminate(job("cmmn"), "w1", Map.of()))
        .isExactlyInstanceOf(ResultRejectedException.class);
    // Starting a process is no result: a refused variable stays a VariableException.
    assertThatThrownBy(() -> engine.processClient().startProcess("p", Map.of()))
        .isExactlyInstanceOf(VariableException.class);
    // Releasing carries no result either.
    assertThatThrownBy(() -> client.release(job("bpmn"), "w1"))
        .isNotInstanceOf(ResultRejectedException.class);
    // A concurrent update (optimistic locking) is retryable, not a refusal.
    always.accept(409, "{\"message\":\"Conflict\",\"exception\":\"was updated by another transaction concurrently\"}");
    assertThatThrownBy(() -> client.complete(job("bpmn"), "w1", Map.of(), Map.of()))
        .isInstanceOfSatisfying(EngineUnavailableException.class, e -> assertThat(e.isRetryable()).isTrue());
    for (int status : new int[] {401, 403, 404, 408, 429, 500}) {
      always.accept(status, variable);
      assertThatThrownBy(() -> client.complete(job("bpmn"), "w1", Map.of(), Map.of()))
          .as("status %d", status)
          .isInstanceOfSatisfying(PolyworkerException.class, e -> assertThat(e.status()).isEqualTo(status))
          .isNotInstanceOf(ResultRejectedException.class);
    }
  }

  @Test
  void deployErrorsCarryTheParserMessage() {
    answer(500, "{\"message\":\"Internal server error\",\"exception\":\"Errors while parsing:\\n"
        + "[Validation set: 'flowable-executable-process' | Problem: 'flowable-servicetask-missing-implementation']\"}");
    assertThatThrownBy(() -> engine.processClient().deploy(DeploymentResource.of("a.bpmn", "<x/>")))
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessageContaining("flowable-servicetask-missing-implementation");
    answer(500, "{\"message\":\"Internal server error\",\"exception\":\"Connection is broken\"}");
    assertThatThrownBy(() -> engine.processClient().deploy(DeploymentResource.of("a.bpmn", "<x/>")))
        .isInstanceOf(EngineUnavailableException.class);
  }

  // ---------------------------------------------------------------- variables out

  @Test
  void valuesThatCannotBeSentFailBeforeAnyRequest() {
    var client = engine.jobClient();
    assertThatThrownBy(() -> client.complete(job("bpmn"), "w1", Map.of("pdf", new byte[] {1}), Map.of()))
        .isInstanceOf(VariableException.class).hasMessageContaining("'pdf'").hasMessageContaining("binary");
    assertThatThrownBy(() -> client.complete(job("bpmn"), "w1", Map.of("x", Double.NaN), Map.of()))
        .isInstanceOf(VariableException.class).hasMessageContaining("'x'");
    assertThatThrownBy(() -> client.complete(job("bpmn"), "w1", Map.of(), Map.of("local", 1)))
        .isInstanceOf(VariableException.class).hasMessageContaining("task-local");
    assertThat(server.getRequestCount()).isZero();
  }

  /** A bean Jackson cannot serialize: a getter that throws. */
  public static final class Broken {
    public String getValue() {
      throw new IllegalStateException("no value");
    }
  }

  @Test
  void aPojoThatJacksonCannotWriteIsAVariableError() {
    assertThatThrownBy(() -> engine.jobClient().complete(job("bpmn"), "w1", Map.of("b", new Broken()),
        Map.of())).isInstanceOf(VariableException.class).hasMessageContaining("'b'");
  }
}
