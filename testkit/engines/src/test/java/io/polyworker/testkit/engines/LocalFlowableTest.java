package io.polyworker.testkit.engines;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The local Flowable engine against its real REST APIs: BPMN and CMMN external worker jobs end to
 * end, and data surviving a crash. JSON is read with small regular expressions to keep this module
 * free of a JSON library.
 */
@ExtendWith(LocalEnginesExtension.class)
class LocalFlowableTest {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  @Test
  void startsOnLoopbackAndServesTheRestApis(LocalFlowable flowable) throws Exception {
    assertTrue(flowable.baseUrl().startsWith("http://127.0.0.1:"), flowable.baseUrl());
    assertEquals(flowable.baseUrl() + "/process-api", flowable.processApiUrl());
    assertEquals(flowable.baseUrl() + "/external-job-api", flowable.externalJobApiUrl());

    assertEquals(200, get(flowable.processApiUrl() + "/repository/process-definitions").statusCode());
    assertEquals(200, get(flowable.processApiUrl() + "/management/deadletter-jobs").statusCode());
    assertEquals(200, get(flowable.externalJobApiUrl() + "/jobs").statusCode());
    HttpResponse<String> emptyAcquire = postJson(flowable.externalJobApiUrl() + "/acquire/jobs",
        "{\"topic\":\"nothing-here\",\"lockDuration\":\"PT10S\",\"numberOfTasks\":1,\"workerId\":\"w\"}");
    assertEquals(200, emptyAcquire.statusCode());
    assertEquals("[]", emptyAcquire.body().trim());
  }

  @Test
  void bpmnExternalWorkerJobRunsToTheEnd(LocalFlowable flowable) throws Exception {
    String topic = "topic-" + UUID.randomUUID();
    String key = deployBpmn(flowable, topic);

    HttpResponse<String> started = postJson(flowable.processApiUrl() + "/runtime/process-instances",
        "{\"processDefinitionKey\":\"" + key + "\",\"businessKey\":\"order-1\","
            + "\"variables\":[{\"name\":\"amount\",\"type\":\"integer\",\"value\":42}]}");
    assertEquals(201, started.statusCode(), started.body());
    String instanceId = field(started.body(), "id");

    String job = acquireOne(flowable, topic, "bpmn");
    assertEquals(instanceId, field(job, "processInstanceId"));
    assertEquals("work", field(job, "elementId"));
    assertContains(job, "{\"name\":\"amount\",\"type\":\"integer\",\"value\":42}");

    HttpResponse<String> completed = postJson(
        flowable.externalJobApiUrl() + "/acquire/jobs/" + field(job, "id") + "/complete",
        "{\"workerId\":\"w1\",\"variables\":[{\"name\":\"result\",\"type\":\"string\",\"value\":\"done\"}]}");
    assertEquals(204, completed.statusCode(), completed.body());

    // Completion is asynchronous in Flowable: the process ends shortly after the 204.
    String historic = flowable.processApiUrl() + "/history/historic-process-instances/" + instanceId;
    await().atMost(Duration.ofSeconds(20)).untilAsserted(
        () -> assertContains(get(historic).body(), "\"endActivityId\":\"end\""));
    assertContains(get(flowable.processApiUrl() + "/history/historic-variable-instances?processInstanceId="
        + instanceId).body(), "\"name\":\"result\",\"type\":\"string\",\"value\":\"done\"");
    assertEquals(404, get(flowable.processApiUrl() + "/runtime/process-instances/" + instanceId).statusCode());

    // The same records through the history view.
    FlowableHistory records = flowable.history();
    assertEquals(FlowableHistory.COMPLETED, FlowableHistory.state(records.processInstance(instanceId).orElseThrow()));
    assertTrue(records.processInstance("no-such-instance").isEmpty());
    assertEquals(0, records.deadLetterJobCount(instanceId));
    assertTrue(records.variableInstances(instanceId).stream().anyMatch(v -> v.path("variable").path("name")
        .asText().equals("result") && v.path("variable").path("value").asText().equals("done")));
    String definition = records.definitionId(key);
    assertEquals(1, records.processInstances(definition).size());
    assertEquals(1, records.finishedInstanceCount(definition));
    assertEquals(0, records.externalJobCount(definition));
    assertTrue(records.externalJobs(definition).isEmpty());
    assertTrue(records.deadLetterJobs(definition).isEmpty());
  }

  @Test
  void cmmnExternalWorkerJobCompletesTheCase(LocalFlowable flowable) throws Exception {
    String topic = "case-topic-" + UUID.randomUUID();
    String caseKey = "case" + UUID.randomUUID().toString().replace("-", "");
    HttpResponse<String> deployed = send(HttpRequest.newBuilder(
            URI.create(flowable.cmmnTestApiUrl() + "/deployments?resourceName=" + caseKey + ".cmmn"))
        .header("Content-Type", "application/xml")
        .POST(HttpRequest.BodyPublishers.ofString(cmmn(caseKey, topic))));
    assertEquals(200, deployed.statusCode(), deployed.body());
    assertContains(deployed.body(), "\"key\":\"" + caseKey + "\"");

    HttpResponse<String> started = postJson(flowable.cmmnTestApiUrl() + "/case-instances",
        "{\"caseDefinitionKey\":\"" + caseKey + "\",\"businessKey\":\"claim-7\",\"variables\":{\"amount\":7}}");
    assertEquals(201, started.statusCode(), started.body());
    String caseId = field(started.body(), "id");
    assertEquals("active", field(started.body(), "state"));

    String job = acquireOne(flowable, topic, "cmmn");
    assertEquals("cmmn", field(job, "scopeType"));
    assertEquals(caseId, field(job, "scopeId"));
    assertEquals("work", field(job, "elementId"));

    HttpResponse<String> completed = postJson(
        flowable.externalJobApiUrl() + "/acquire/jobs/" + field(job, "id") + "/complete",
        "{\"workerId\":\"w1\",\"variables\":[{\"name\":\"result\",\"type\":\"string\",\"value\":\"approved\"}]}");
    assertEquals(204, completed.statusCode(), completed.body());

    String caseUrl = flowable.cmmnTestApiUrl() + "/case-instances/" + caseId;
    await().atMost(Duration.ofSeconds(20)).untilAsserted(
        () -> assertEquals("completed", field(get(caseUrl).body(), "state")));
    String finished = get(caseUrl).body();
    assertContains(finished, "\"result\":\"approved\"");
    assertContains(finished, "\"amount\":7");
    String planItems = get(caseUrl + "/plan-item-instances").body();
    assertContains(planItems, "\"planItemDefinitionType\":\"externalworkerservicetask\"");
    assertContains(planItems, "\"state\":\"completed\"");
    assertEquals(404, get(flowable.cmmnTestApiUrl() + "/case-instances/no-such-case").statusCode());
  }

  @Test
  void killAndRestartKeepDataAndPort() throws Exception {
    try (LocalFlowable flowable = LocalFlowable.create()) {
      flowable.start();
      int port = flowable.port();
      String topic = "restart-topic";
      String key = deployBpmn(flowable, topic);
      String instanceId = field(postJson(flowable.processApiUrl() + "/runtime/process-instances",
          "{\"processDefinitionKey\":\"" + key + "\"}").body(), "id");

      flowable.kill();
      assertFalse(flowable.isRunning());
      assertThrows(ConnectException.class, () -> get(flowable.processApiUrl() + "/repository/deployments"));

      flowable.restart();
      assertTrue(flowable.isRunning());
      assertEquals(port, flowable.port());
      assertEquals(200, get(flowable.processApiUrl() + "/runtime/process-instances/" + instanceId).statusCode());
      String job = acquireOne(flowable, topic, "bpmn");
      assertEquals(instanceId, field(job, "processInstanceId"));
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Deploys a one-task process through the multipart endpoint; returns its key. */
  private static String deployBpmn(LocalFlowable flowable, String topic) throws Exception {
    String key = "p" + UUID.randomUUID().toString().replace("-", "");
    String bpmn = """
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:flowable="http://flowable.org/bpmn" targetNamespace="http://polyworker.io/test">
          <process id="%s" isExecutable="true">
            <startEvent id="start"/>
            <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
            <serviceTask id="work" name="Work" flowable:type="external-worker" flowable:topic="%s"/>
            <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
            <endEvent id="end"/>
          </process>
        </definitions>
        """.formatted(key, topic);
    String boundary = "polyworker-" + UUID.randomUUID();
    String body = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\"" + key + ".bpmn20.xml\"\r\n"
        + "Content-Type: application/xml\r\n\r\n"
        + bpmn + "\r\n"
        + "--" + boundary + "--\r\n";
    HttpResponse<String> deployed = send(HttpRequest.newBuilder(
            URI.create(flowable.processApiUrl() + "/repository/deployments"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    assertEquals(201, deployed.statusCode(), deployed.body());
    return key;
  }

  private static String cmmn(String caseKey, String topic) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="http://www.omg.org/spec/CMMN/20151109/MODEL"
                     xmlns:flowable="http://flowable.org/cmmn" targetNamespace="http://polyworker.io/test">
          <case id="%s">
            <casePlanModel id="plan">
              <planItem id="workItem" definitionRef="work"/>
              <task id="work" name="Work" flowable:type="external-worker" flowable:topic="%s"/>
            </casePlanModel>
          </case>
        </definitions>
        """.formatted(caseKey, topic);
  }

  /** Acquires the one job of {@code topic}, waiting for it to exist; returns its JSON object. */
  private static String acquireOne(LocalFlowable flowable, String topic, String scopeType) {
    String request = "{\"topic\":\"" + topic + "\",\"lockDuration\":\"PT30S\",\"numberOfTasks\":1,"
        + "\"workerId\":\"w1\",\"scopeType\":\"" + scopeType + "\"}";
    String body = await().atMost(Duration.ofSeconds(20)).until(
        () -> postJson(flowable.externalJobApiUrl() + "/acquire/jobs", request).body(),
        json -> json.trim().startsWith("[{"));
    return body;
  }

  private static void assertContains(String text, String expected) {
    assertTrue(text.contains(expected), () -> "expected " + expected + " in " + text);
  }

  private static String field(String json, String name) {
    Matcher matcher = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!matcher.find()) {
      throw new AssertionError("no string field " + name + " in " + json);
    }
    return matcher.group(1);
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  private static HttpResponse<String> postJson(String url, String json) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
