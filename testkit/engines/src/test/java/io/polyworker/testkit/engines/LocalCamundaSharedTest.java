package io.polyworker.testkit.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shared Camunda runs a real external-task round trip over REST. */
@ExtendWith(LocalEnginesExtension.class)
class LocalCamundaSharedTest {

  @Test
  void restApiListsTheDefaultEngine(LocalCamunda camunda) throws Exception {
    HttpResponse<String> response = Http.get(camunda.restUrl() + "/engine");

    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().contains("\"default\""), response.body());
    assertEquals("http://127.0.0.1:" + camunda.port() + "/engine-rest", camunda.restUrl());
  }

  @Test
  void extensionInjectsTheSharedInstance(LocalCamunda camunda) {
    assertSame(LocalCamunda.shared(), camunda);
    assertTrue(camunda.isRunning());
  }

  @Test
  void externalTaskRoundTripWithJsonAndObjectVariables(LocalCamunda camunda) throws Exception {
    String rest = camunda.restUrl();
    String key = "p" + UUID.randomUUID().toString().replace("-", "");
    String topic = "topic-" + key;
    HttpResponse<String> deployment = Http.deploy(rest, "round-trip", key + ".bpmn",
        Http.externalTaskProcess(key, topic));
    assertEquals(200, deployment.statusCode(), deployment.body());

    HttpResponse<String> started = Http.postJson(rest + "/process-definition/key/" + key + "/start",
        "{\"businessKey\":\"order-7\",\"variables\":{"
            + "\"n\":{\"type\":\"Integer\",\"value\":42},"
            + "\"doc\":{\"type\":\"Json\",\"value\":\"{\\\"a\\\":[1,2]}\"},"
            + "\"map\":{\"type\":\"Object\",\"value\":\"{\\\"x\\\":\\\"y\\\"}\",\"valueInfo\":{"
            + "\"serializationDataFormat\":\"application/json\",\"objectTypeName\":\"java.util.HashMap\"}}}}");
    assertEquals(200, started.statusCode(), started.body());
    String instanceId = Http.field(started.body(), "id");

    HttpResponse<String> fetched = Http.postJson(rest + "/external-task/fetchAndLock",
        "{\"workerId\":\"w1\",\"maxTasks\":1,\"asyncResponseTimeout\":5000,"
            + "\"topics\":[{\"topicName\":\"" + topic + "\",\"lockDuration\":30000}]}");
    assertEquals(200, fetched.statusCode(), fetched.body());
    String body = fetched.body();
    assertTrue(body.contains("\"processInstanceId\":\"" + instanceId + "\""), body);
    assertTrue(body.contains("\"businessKey\":\"order-7\""), body);
    assertTrue(body.contains("\"type\":\"Json\""), body);
    assertTrue(body.contains("\"value\":\"{\\\"a\\\":[1,2]}\""), body);
    assertTrue(body.contains("\"serializationDataFormat\":\"application/json\""), body);
    assertTrue(body.contains("\"value\":42"), body);
    String taskId = Http.field(body, "id");

    HttpResponse<String> completed = Http.postJson(rest + "/external-task/" + taskId + "/complete",
        "{\"workerId\":\"w1\",\"variables\":{\"result\":{\"type\":\"String\",\"value\":\"done\"}}}");
    assertEquals(204, completed.statusCode(), completed.body());

    HttpResponse<String> history = Http.get(rest + "/history/process-instance/" + instanceId);
    assertEquals(200, history.statusCode(), history.body());
    assertEquals("COMPLETED", Http.field(history.body(), "state"));
    HttpResponse<String> result = Http.get(rest + "/history/variable-instance?processInstanceId=" + instanceId
        + "&variableName=result");
    assertTrue(result.body().contains("\"value\":\"done\""), result.body());

    // The same records through the history view.
    CamundaHistory records = camunda.history();
    assertEquals("COMPLETED", records.processInstance(instanceId).orElseThrow().path("state").asText());
    assertTrue(records.processInstance("no-such-instance").isEmpty());
    assertTrue(records.incidents(instanceId).isEmpty());
    assertTrue(records.variableInstances(instanceId).stream()
        .anyMatch(v -> v.path("name").asText().equals("result") && v.path("value").asText().equals("done")));
    List<JsonNode> log = records.externalTaskLog(instanceId);
    assertEquals(2, log.size(), log::toString);
    assertEquals(1, log.stream().filter(l -> l.path("creationLog").asBoolean()).count(), log::toString);
    assertEquals(1, log.stream().filter(l -> l.path("successLog").asBoolean()
        && l.path("workerId").asText().equals("w1")).count(), log::toString);
    assertEquals(1, records.count("/history/process-instance/count?completed=true&processInstanceId=" + instanceId));
    assertEquals(2, records.all("/history/external-task-log?processInstanceId=" + instanceId
        + "&sortBy=externalTaskId&sortOrder=asc").size());
  }

  @Test
  void jobExecutorFiresTimersWithinSeconds(LocalCamunda camunda) throws Exception {
    String rest = camunda.restUrl();
    String key = "timer" + UUID.randomUUID().toString().replace("-", "");
    String topic = "after-" + key;
    String bpmn = Http.externalTaskProcess(key, topic).replace(
        "<bpmn:sequenceFlow id=\"toWork\" sourceRef=\"start\" targetRef=\"work\"/>",
        "<bpmn:sequenceFlow id=\"toWait\" sourceRef=\"start\" targetRef=\"wait\"/>\n"
            + "    <bpmn:intermediateCatchEvent id=\"wait\"><bpmn:timerEventDefinition>"
            + "<bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>\n"
            + "    <bpmn:sequenceFlow id=\"toWork\" sourceRef=\"wait\" targetRef=\"work\"/>");
    assertEquals(200, Http.deploy(rest, "timer", key + ".bpmn", bpmn).statusCode());
    assertEquals(200, Http.postJson(rest + "/process-definition/key/" + key + "/start", "{}").statusCode());
    long startedAt = System.nanoTime();

    // Long polling: returns as soon as the timer has fired and created the task, or empty after 15 s.
    HttpResponse<String> fetched = Http.postJson(rest + "/external-task/fetchAndLock",
        "{\"workerId\":\"w1\",\"maxTasks\":1,\"asyncResponseTimeout\":15000,"
            + "\"topics\":[{\"topicName\":\"" + topic + "\",\"lockDuration\":30000}]}");

    assertTrue(fetched.body().contains("\"topicName\":\"" + topic + "\""), fetched.body());
    long millis = (System.nanoTime() - startedAt) / 1_000_000;
    assertTrue(millis < 10_000, "timer of 1 s fired after " + millis + " ms");
  }
}
