package io.polyworker.flowable;

import io.polyworker.internal.DefaultVariables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.JobAlreadyCompletedException;
import io.polyworker.JobLockLostException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ProcessResult;
import io.polyworker.PublishMessage;
import io.polyworker.ResultRejectedException;
import io.polyworker.StartProcess;
import io.polyworker.UnreadableValue;
import io.polyworker.flowable.internal.FlowableTestAccess;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.LocalFlowable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Flowable-specific behaviour against a real Flowable 7.2 server, beyond the conformance kit: every
 * variable type both ways, deployments, error answers of the real engine, and configuration-driven
 * creation. What the engine holds is checked with plain HTTP, not with the client under test.
 */
class FlowableEngineTest {
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static LocalFlowable flowable;
  private static Engine engine;
  private static EngineClient jobs;

  @BeforeAll
  static void connect() {
    flowable = LocalFlowable.shared();
    engine = FlowableEngine.builder().baseUrl(flowable.baseUrl()).build();
    jobs = engine.jobClient();
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static String unique(String prefix) {
    return prefix + SEQUENCE.incrementAndGet() + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static TestProcess deployed(TestProcess p) {
    engine.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(Dialect.FLOWABLE)));
    return p;
  }

  private static LockedJob fetchOne(String worker, String topic) {
    List<LockedJob> got = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
      got.addAll(jobs.fetchAndLock(FetchRequest.of(worker, topic, 1, Duration.ofSeconds(30)))
          .get(10, TimeUnit.SECONDS));
      return !got.isEmpty();
    });
    return got.get(0);
  }

  // ---------------------------------------------------------------- variables

  @Test
  void everyFlowableTypeIsReadFromAJob() throws Exception {
    String topic = unique("t");
    TestProcess p = deployed(TestProcess.named(unique("p")).task("work", topic));
    // Started over plain HTTP, so the values are typed by Flowable, not by the client under test.
    TestHttp.Answer started = TestHttp.postJson(flowable.processApiUrl() + "/runtime/process-instances",
        """
        {"processDefinitionKey":"%s","variables":[
          {"name":"s","type":"string","value":"x"},{"name":"i","type":"integer","value":42},
          {"name":"l","type":"long","value":9000000000},{"name":"sh","type":"short","value":7},
          {"name":"d","type":"double","value":1.5},{"name":"b","type":"boolean","value":true},
          {"name":"dt","type":"date","value":"2024-01-02T03:04:05Z"},
          {"name":"in","type":"instant","value":"2024-01-02T03:04:05.678Z"},
          {"name":"ld","type":"localDate","value":"2024-01-02"},
          {"name":"ldt","type":"localDateTime","value":"2024-01-02T03:04:05"},
          {"name":"bd","type":"bigDecimal","value":"1.25"},
          {"name":"bi","type":"bigInteger","value":"123456789012345678901234567890"},
          {"name":"j","type":"json","value":{"a":[1,2,{"b":null}]}},
          {"name":"ja","type":"json","value":[1,"two"]},
          {"name":"n","type":"string","value":null},
          {"name":"u","type":"uuid","value":"123e4567-e89b-12d3-a456-426614174000"},
          {"name":"o","value":{"x":1}}]}""".formatted(p.id()));
    assertThat(started.status()).as(started.text()).isEqualTo(201);

    Map<String, Object> v = fetchOne(unique("w"), topic).variables();
    assertThat(v).containsEntry("s", "x").containsEntry("i", 42).containsEntry("l", 9_000_000_000L)
        .containsEntry("sh", (short) 7).containsEntry("d", 1.5).containsEntry("b", true)
        .containsEntry("dt", Instant.parse("2024-01-02T03:04:05Z"))
        .containsEntry("in", Instant.parse("2024-01-02T03:04:05.678Z"))
        .containsEntry("ld", LocalDate.of(2024, 1, 2))
        .containsEntry("ldt", LocalDateTime.of(2024, 1, 2, 3, 4, 5))
        .containsEntry("bd", new BigDecimal("1.25"))
        .containsEntry("bi", new BigInteger("123456789012345678901234567890"))
        .containsEntry("ja", List.of(1, "two"))
        .containsEntry("n", null);
    assertThat(v.get("j")).isEqualTo(Map.of("a", List.of(1, 2, java.util.Collections.singletonMap("b", null))));
    // Flowable's external job API sends uuids and untyped objects as "serializable" without a value.
    assertThat(v.get("u")).isInstanceOf(UnreadableValue.class);
    assertThat(v.get("o")).isInstanceOfSatisfying(UnreadableValue.class,
        u -> assertThat(u.engineType()).isEqualTo("serializable"));
  }

  /** A POJO result variable. */
  public record Receipt(String number, List<Integer> lines) {}

  /** An enum result variable. */
  public enum Colour { RED }

  @Test
  void everyJavaTypeIsWrittenOnCompleteAndReadBack() {
    String topic = unique("t");
    String next = unique("next");
    TestProcess p = deployed(TestProcess.named(unique("p")).task("work", topic).task("after", next));
    String instance = engine.processClient().startProcess(p.id(), Map.of());
    String w = unique("w");
    LockedJob job = fetchOne(w, topic);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("s", "héllo");
    out.put("c", 'c');
    out.put("i", 42);
    out.put("l", 1_234_567_890_123L);
    out.put("sh", (short) 3);
    out.put("by", (byte) 4);
    out.put("d", 2.5);
    out.put("f", 0.1f);
    out.put("b", false);
    out.put("date", Date.from(Instant.parse("2026-01-02T03:04:05Z")));
    out.put("instant", Instant.parse("2026-01-02T03:04:05.123Z"));
    out.put("offset", OffsetDateTime.of(2026, 1, 2, 5, 4, 5, 0, ZoneOffset.ofHours(2)));
    out.put("localDate", LocalDate.of(2026, 1, 2));
    out.put("localDateTime", LocalDateTime.of(2026, 1, 2, 3, 4, 5));
    out.put("bd", new BigDecimal("12.50"));
    out.put("bi", new BigInteger("98765432109876543210"));
    out.put("uuid", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
    out.put("colour", Colour.RED);
    out.put("map", Map.of("k", List.of(1, 2)));
    out.put("list", List.of("a", "b"));
    out.put("pojo", new Receipt("R-1", List.of(3, 4)));
    out.put("nothing", null);
    jobs.complete(job, w, out, Map.of());

    Map<String, Object> in = fetchOne(unique("w"), next).variables();
    assertThat(in).containsEntry("s", "héllo").containsEntry("c", "c").containsEntry("i", 42)
        .containsEntry("l", 1_234_567_890_123L).containsEntry("sh", (short) 3)
        .containsEntry("by", (short) 4).containsEntry("d", 2.5).containsEntry("f", 0.1)
        .containsEntry("b", false)
        .containsEntry("date", Instant.parse("2026-01-02T03:04:05Z"))
        .containsEntry("instant", Instant.parse("2026-01-02T03:04:05.123Z"))
        .containsEntry("offset", Instant.parse("2026-01-02T03:04:05Z"))
        .containsEntry("localDate", LocalDate.of(2026, 1, 2))
        .containsEntry("localDateTime", LocalDateTime.of(2026, 1, 2, 3, 4, 5))
        .containsEntry("bd", new BigDecimal("12.50"))
        .containsEntry("bi", new BigInteger("98765432109876543210"))
        .containsEntry("uuid", "123e4567-e89b-12d3-a456-426614174000")
        .containsEntry("colour", "RED")
        .containsEntry("map", Map.of("k", List.of(1, 2)))
        .containsEntry("list", List.of("a", "b"))
        .containsEntry("pojo", Map.of("number", "R-1", "lines", List.of(3, 4)))
        .containsEntry("nothing", null);
    var typed = io.polyworker.internal.DefaultVariables.of(in);
    assertThat(typed.get("pojo", Receipt.class)).isEqualTo(new Receipt("R-1", List.of(3, 4)));

    // And Flowable itself holds them with its own types.
    JsonNode page = TestHttp.get(flowable.processApiUrl() + "/runtime/process-instances/" + instance
        + "/variables").body();
    Map<String, String> types = new HashMap<>();
    page.forEach(var -> types.put(var.get("name").asText(), var.path("type").asText(null)));
    assertThat(types).containsEntry("i", "integer").containsEntry("l", "long")
        .containsEntry("date", "date").containsEntry("instant", "instant").containsEntry("map", "json")
        .containsEntry("pojo", "json").containsEntry("bd", "bigDecimal").containsEntry("localDate", "localDate");
  }

  // ---------------------------------------------------------------- deployments and instances

  @Test
  void severalResourcesDeployTogether() {
    TestProcess a = TestProcess.named(unique("pa")).task("work", unique("t"));
    TestProcess b = TestProcess.named(unique("pb")).task("work", unique("t"));
    List<DeployedDefinition> defs = engine.processClient().deploy(
        DeploymentResource.of(a.resourceName(), a.toXml(Dialect.FLOWABLE)),
        DeploymentResource.of(b.id() + ".bpmn20.xml", b.toXml(Dialect.FLOWABLE)));
    assertThat(defs).extracting(DeployedDefinition::key).containsExactlyInAnyOrder(a.id(), b.id());
    assertThat(defs).extracting(DeployedDefinition::resourceName)
        .containsExactlyInAnyOrder(a.resourceName(), b.id() + ".bpmn20.xml");
    assertThat(defs).allSatisfy(d -> assertThat(d.version()).isEqualTo(1));

    List<DeployedDefinition> again = engine.processClient().deploy(
        DeploymentResource.of(a.resourceName(), a.toXml(Dialect.FLOWABLE)));
    assertThat(again).singleElement().satisfies(d -> {
      assertThat(d.version()).isEqualTo(2);
      assertThat(d.id()).startsWith(a.id() + ":2:");
    });
  }

  @Test
  void anInvalidDefinitionCarriesTheParserMessage() {
    String xml = """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="x">
          <process id="broken" isExecutable="true"><startEvent id="s"/><serviceTask id="t"/></process>
        </definitions>""";
    assertThatThrownBy(() -> engine.processClient().deploy(DeploymentResource.of("broken.bpmn", xml)))
        .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> {
          assertThat(e.engine()).isEqualTo("flowable");
          assertThat(e.operation()).isEqualTo("deploy");
          assertThat(e.detail()).contains("flowable-servicetask-missing-implementation");
        });
    assertThatThrownBy(() -> engine.processClient().deploy(DeploymentResource.of("cut.bpmn", "<definitions")))
        .isInstanceOf(InvalidDefinitionException.class).hasMessageContaining("XML");
  }

  @Test
  void anInstanceEndedByATerminateEndEventHasCompleted() {
    // A parallel branch still waits in a user task when the other reaches the terminate end event,
    // so the end event, not the last token, ends the instance. Camunda reports the same model as
    // completed; Flowable writes a delete reason "terminate end event (end)" into its history.
    String id = unique("p");
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\""
        + " targetNamespace=\"http://polyworker.io/test\">\n"
        + "  <process id=\"" + id + "\" isExecutable=\"true\">\n"
        + "    <startEvent id=\"start\"/>\n"
        + "    <sequenceFlow id=\"f1\" sourceRef=\"start\" targetRef=\"split\"/>\n"
        + "    <parallelGateway id=\"split\"/>\n"
        + "    <sequenceFlow id=\"f2\" sourceRef=\"split\" targetRef=\"wait\"/>\n"
        + "    <sequenceFlow id=\"f3\" sourceRef=\"split\" targetRef=\"end\"/>\n"
        + "    <userTask id=\"wait\"/>\n"
        + "    <endEvent id=\"end\"><terminateEventDefinition/></endEvent>\n"
        + "  </process>\n"
        + "</definitions>\n";
    engine.processClient().deploy(DeploymentResource.of(id + ".bpmn20.xml", xml));

    ProcessResult result = engine.processClient().startProcessAndAwait(
        StartProcess.of(id).withVariables(Map.of("n", 1)), Duration.ofSeconds(30));

    assertThat(result.variables()).containsEntry("n", 1);
  }

  @Test
  void startingAnUnknownProcessIsNotFound() {
    assertThatThrownBy(() -> engine.processClient().startProcess(unique("nope"), Map.of()))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.operation()).isEqualTo("startProcess");
          assertThat(e.detail()).contains("No process definition found");
        });
  }

  @Test
  void theBusinessKeyReachesTheInstanceButNotTheJob() {
    String topic = unique("t");
    TestProcess p = deployed(TestProcess.named(unique("p")).task("work", topic));
    String instance = engine.processClient().startProcess(p.id(), Map.of("n", 1), "order-17");
    JsonNode json = TestHttp.get(flowable.processApiUrl() + "/runtime/process-instances/" + instance).body();
    assertThat(json.get("businessKey").asText()).isEqualTo("order-17");
    assertThat(json.get("processDefinitionId").asText()).startsWith(p.id() + ":");
    // The acquire answer carries no business key, so Job.businessKey() is null on Flowable.
    String w = unique("w");
    LockedJob job = fetchOne(w, topic);
    assertThat(job.processInstanceId()).isEqualTo(instance);
    assertThat(job.businessKey()).isNull();
    assertThat(job.nativeJob().toString()).doesNotContain("order-17");
    jobs.complete(job, w, Map.of(), Map.of());
  }

  @Test
  void aMessageReachesTheInstanceWithThatBusinessKey() {
    String message = unique("paid");
    String topic = unique("t");
    TestProcess p = deployed(TestProcess.named(unique("p")).waitForMessage("wait", message, "orderId")
        .task("work", topic));
    String other = engine.processClient().startProcess(p.id(), Map.of(), "order-1");
    String wanted = engine.processClient().startProcess(p.id(), Map.of(), "order-2");
    await().atMost(Duration.ofSeconds(30)).ignoreException(NotFoundException.class).until(() ->
        wanted.equals(engine.processClient().publishMessage(PublishMessage.of(message, "order-2")
            .withVariables(Map.of("paid", 12)))));
    LockedJob job = fetchOne(unique("w"), topic);
    assertThat(job.processInstanceId()).isEqualTo(wanted).isNotEqualTo(other);
    assertThat(job.variables()).containsEntry("paid", 12);
    assertThatThrownBy(() -> engine.processClient().publishMessage(PublishMessage.of(message, "order-2")))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("no subscription waits");
  }

  @Test
  void startingForAnUnknownTenantIsNotFound() {
    TestProcess p = deployed(TestProcess.named(unique("p")).task("work", unique("t")));
    assertThatThrownBy(() -> engine.processClient().startProcess(StartProcess.of(p.id()).withTenantId("acme")))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("acme");
    assertThatThrownBy(() -> engine.processClient().startProcess(StartProcess.of(p.id()).withVersion(1)
        .withTenantId("acme"))).isInstanceOf(NotFoundException.class).hasMessageContaining("acme");
  }

  // ---------------------------------------------------------------- errors of the real engine

  @Test
  void aDeadLetteredJobIsGoneForItsWorker() {
    String topic = unique("t");
    TestProcess p = deployed(TestProcess.named(unique("p")).task("work", topic));
    String instance = engine.processClient().startProcess(p.id(), Map.of());
    String w = unique("w");
    LockedJob job = fetchOne(w, topic);
    jobs.fail(job, w, "x".repeat(5_000), "details", 0, Duration.ZERO);
    String deadLetters = flowable.processApiUrl() + "/management/deadletter-jobs?processInstanceId=" + instance;
    await().atMost(Duration.ofSeconds(30))
        .until(() -> TestHttp.get(deadLetters).body().get("total").asInt() == 1);
    assertThatThrownBy(() -> jobs.complete(job, w, Map.of(), Map.of()))
        .isInstanceOf(JobAlreadyCompletedException.class);
  }

  @Test
  void onlyTheLockOwnerMayReportOrRelease() {
    String topic = unique("t");
    TestProcess p = deployed(TestProcess.named(unique("p")).task("work", topic));
    engine.processClient().startProcess(p.id(), Map.of());
    String w = unique("w");
    LockedJob job = fetchOne(w, topic);
    assertThatThrownBy(() -> jobs.release(job, "someone-else")).isInstanceOf(JobLockLostException.class);
    assertThatThrownBy(() -> jobs.fail(job, "someone-else", "no", null, 1, Duration.ZERO))
        .isInstanceOf(JobLockLostException.class);
    jobs.complete(job, w, Map.of(), Map.of());
  }

  @Test
  void resultsOfTheWrongScopeAreRefusedWithTheReason() {
    String topic = unique("t");
    TestProcess p = deployed(TestProcess.named(unique("p")).task("work", topic));
    engine.processClient().startProcess(p.id(), Map.of());
    String w = unique("w");
    LockedJob job = fetchOne(w, topic);
    assertThat(job.scopeType()).isEqualTo(LockedJob.BPMN);
    assertThatThrownBy(() -> jobs.terminate(job, w, Map.of()))
        .isExactlyInstanceOf(ResultRejectedException.class)
        .hasMessageContaining("[flowable] terminate failed (status 400)")
        .hasMessageContaining("only to CMMN jobs, and this is a BPMN job");
    jobs.complete(job, w, Map.of(), Map.of());
  }

  @Test
  void variablesFlowableRefusesAreAContentRefusalNamingTheVariable() {
    String topic = unique("t");
    TestProcess p = deployed(TestProcess.named(unique("p")).task("work", topic));
    engine.processClient().startProcess(p.id(), Map.of());
    String w = unique("w");
    LockedJob job = fetchOne(w, topic);

    // A java.util.Date goes as Flowable's "date", whose REST converter cannot read a year after 9999.
    Date farFuture = Date.from(Instant.parse("+10000-01-01T00:00:00Z"));
    assertThatThrownBy(() -> jobs.complete(job, w, Map.of("due", farFuture), Map.of()))
        .isInstanceOfSatisfying(ResultRejectedException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.operation()).isEqualTo("complete");
          assertThat(e.getMessage()).contains("The given variable value is not a date");
        });
    // 400 "Variable 'x' has unsupported type: 'nosuch'.", which Polyworker never sends itself.
    FlowableTestAccess http = new FlowableTestAccess(flowable.baseUrl());
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("workerId", w);
    body.putArray("variables").addObject().put("name", "x").put("type", "nosuch").put("value", 1);
    assertThatThrownBy(() -> http.postJobApi("complete", body, "acquire", "jobs", job.id(), "complete"))
        .isInstanceOfSatisfying(ResultRejectedException.class,
            e -> assertThat(e.getMessage()).contains("Variable 'x' has unsupported type"));
    assertThatThrownBy(() -> http.postJobApi("bpmnError", body.deepCopy().put("errorCode", "E"),
        "acquire", "jobs", job.id(), "bpmnError"))
        .isInstanceOf(ResultRejectedException.class);
    http.close();

    // The job itself is fine: still locked by this worker, and a result it can store is taken.
    jobs.complete(job, w, Map.of("x", 1), Map.of());
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void configurationSelectsFlowable() {
    try (Engine configured = Engines.fromConfig(EngineConfig.fromMap(Map.of(
        "polyworker.engine", "flowable", "polyworker.url", flowable.baseUrl())))) {
      assertThat(configured.id()).isEqualTo("flowable");
      TestProcess p = TestProcess.named(unique("p")).task("work", unique("t"));
      assertThat(configured.processClient().deploy(
          DeploymentResource.of(p.resourceName(), p.toXml(Dialect.FLOWABLE))))
          .extracting(DeployedDefinition::key).containsExactly(p.id());
    }
  }

  @Test
  void configurationReadsPathsAndAuth() {
    Map<String, String> settings = new HashMap<>(Map.of(
        "POLYWORKER_ENGINE", "flowable", "POLYWORKER_URL", "http://localhost:8080/flowable-rest",
        "POLYWORKER_FLOWABLE_PROCESS_API_PATH", "/service", "POLYWORKER_USERNAME", "admin",
        "POLYWORKER_PASSWORD", "test"));
    try (Engine configured = Engines.fromConfig(EngineConfig.fromMap(settings))) {
      assertThat(configured.toString()).contains("flowable-rest").contains("basic(admin)")
          .doesNotContain("test");
    }
    settings.put("POLYWORKER_AUTH", "oauth2");
    assertThatThrownBy(() -> Engines.fromConfig(EngineConfig.fromMap(settings)))
        .isInstanceOf(PolyworkerException.class).hasMessageContaining("tokenSupplier");
    settings.remove("POLYWORKER_AUTH");
    settings.put("POLYWORKER_URL", "localhost:8080");
    assertThatThrownBy(() -> Engines.fromConfig(EngineConfig.fromMap(settings)))
        .isInstanceOf(PolyworkerException.class).hasMessageContaining("POLYWORKER_URL");
  }
}
