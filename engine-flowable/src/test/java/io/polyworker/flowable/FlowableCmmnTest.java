package io.polyworker.flowable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.engine.Engine;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerOptions;
import io.polyworker.spi.Capability;
import io.polyworker.testkit.engines.LocalFlowable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CMMN external worker tasks run by handlers through {@link JobWorker}: a case item completed with
 * variables, and one terminated with {@link JobResult#terminate(Map)}. Cases are deployed and observed
 * through the test server's CMMN helper API (Flowable's CMMN REST module is not available here).
 */
class FlowableCmmnTest {
  private static LocalFlowable flowable;
  private static Engine engine;

  @BeforeAll
  static void connect() {
    flowable = LocalFlowable.shared();
    engine = FlowableEngine.builder().baseUrl(flowable.baseUrl()).build();
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static String startCase(String topic, Map<String, Object> variables) throws Exception {
    String key = "case" + UUID.randomUUID().toString().replace("-", "");
    String xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="http://www.omg.org/spec/CMMN/20151109/MODEL"
                     xmlns:flowable="http://flowable.org/cmmn" targetNamespace="http://polyworker.io/test">
          <case id="%s">
            <casePlanModel id="plan">
              <planItem id="reviewItem" definitionRef="review"/>
              <task id="review" name="Review" flowable:type="external-worker" flowable:topic="%s"/>
            </casePlanModel>
          </case>
        </definitions>
        """.formatted(key, topic);
    TestHttp.Answer deployed = TestHttp.postXml(flowable.cmmnTestApiUrl() + "/deployments?resourceName="
        + key + ".cmmn", xml);
    assertThat(deployed.status()).as(deployed.text()).isEqualTo(200);
    TestHttp.Answer started = TestHttp.postJson(flowable.cmmnTestApiUrl() + "/case-instances",
        TestHttp.JSON.writeValueAsString(Map.of("caseDefinitionKey", key, "variables", variables)));
    assertThat(started.status()).as(started.text()).isEqualTo(201);
    return started.body().get("id").asText();
  }

  private static JsonNode caseInstance(String id) {
    return TestHttp.get(flowable.cmmnTestApiUrl() + "/case-instances/" + id).body();
  }

  private static String planItemState(String caseId) {
    JsonNode items = TestHttp.get(flowable.cmmnTestApiUrl() + "/case-instances/" + caseId
        + "/plan-item-instances").body();
    return items.get(0).get("state").asText();
  }

  private static JobWorker worker(String topic, io.polyworker.JobHandler handler, List<WorkerEvent> events) {
    return JobWorker.builder(engine)
        .options(WorkerOptions.builder().workerId("cmmn-" + topic).listener(events::add).build())
        .subscribe(topic, handler, SubscriptionOptions.builder().lockDuration(Duration.ofSeconds(30)).build())
        .build()
        .start();
  }

  @Test
  void flowableDeclaresCmmn() {
    assertThat(engine.capabilities().has(Capability.CMMN)).isTrue();
  }

  @Test
  void aHandlerCompletesACaseItemWithVariables() throws Exception {
    String topic = "review-" + UUID.randomUUID();
    String caseId = startCase(topic, Map.of("amount", 7));
    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    List<String> seen = new CopyOnWriteArrayList<>();
    try (JobWorker worker = worker(topic, job -> {
      seen.add(job.processInstanceId() + " " + job.elementId() + " " + job.variables().get("amount"));
      return JobResult.complete(Map.of("approved", true, "reviewer", "ada"));
    }, events)) {
      await().atMost(Duration.ofSeconds(30))
          .until(() -> "completed".equals(caseInstance(caseId).path("state").asText()));
    }
    assertThat(seen).containsExactly(caseId + " review 7");
    assertThat(planItemState(caseId)).isEqualTo("completed");
    JsonNode variables = caseInstance(caseId).get("variables");
    assertThat(variables.get("approved").asBoolean()).isTrue();
    assertThat(variables.get("reviewer").asText()).isEqualTo("ada");
    assertThat(events).extracting(WorkerEvent::type).contains(WorkerEvent.Type.COMPLETED);
  }

  @Test
  void aHandlerTerminatesACaseItem() throws Exception {
    String topic = "review-" + UUID.randomUUID();
    String caseId = startCase(topic, Map.of());
    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    try (JobWorker worker = worker(topic, job -> JobResult.terminate(Map.of("reason", "duplicate")),
        events)) {
      await().atMost(Duration.ofSeconds(30))
          .until(() -> "terminated".equals(planItemState(caseId)));
    }
    assertThat(caseInstance(caseId).get("variables").get("reason").asText()).isEqualTo("duplicate");
    assertThat(events).extracting(WorkerEvent::type).contains(WorkerEvent.Type.TERMINATED)
        .doesNotContain(WorkerEvent.Type.REPORT_FAILED);
  }
}
