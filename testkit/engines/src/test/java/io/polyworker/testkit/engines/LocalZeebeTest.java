package io.polyworker.testkit.engines;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camunda.zeebe.client.ZeebeClient;
import io.camunda.zeebe.client.api.response.ActivatedJob;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local Zeebe engine (child JVM on Java 21+) through the official gRPC client: a service task job
 * end to end, an incident, the engine clock, and a restart on the same port. Outcomes are read from the
 * engine's record log ({@link LocalZeebe#records()}) with plain string matching.
 *
 * <p>Without an installed Java 21+ runtime these tests fail (not skip) with the message of
 * {@link JavaRuntimes#findJava(int)} naming what to install.
 */
@ExtendWith(LocalEnginesExtension.class)
@SuppressWarnings("deprecation") // ZeebeClient: deprecated in 8.8 for CamundaClient, still what engine-zeebe uses
class LocalZeebeTest {

  private static final Duration AWAIT = Duration.ofSeconds(30);

  @Test
  void servesTheGatewayAndTheControlEndpointOnLoopback(LocalZeebe zeebe) {
    assertEquals("127.0.0.1:" + zeebe.port(), zeebe.gatewayAddress());
    assertEquals(URI.create("http://127.0.0.1:" + zeebe.port()), zeebe.grpcUri());
    assertTrue(zeebe.controlUrl().startsWith("http://127.0.0.1:"), zeebe.controlUrl());
    assertFalse(zeebe.records().isEmpty(), "the engine writes set-up records when it starts");
  }

  @Test
  void serviceTaskJobRunsToTheEnd(LocalZeebe zeebe) {
    String type = "t";
    String processId = deploy(zeebe, serviceTaskProcess("job-" + shortId(), type));
    try (ZeebeClient client = client(zeebe)) {
      long instance = client.newCreateInstanceCommand().bpmnProcessId(processId).latestVersion()
          .variables(Map.of("amount", 41)).send().join().getProcessInstanceKey();

      ActivatedJob job = activateOne(client, type, instance);
      assertEquals(41, job.getVariablesAsMap().get("amount"));
      client.newCompleteCommand(job.getKey()).variables(Map.of("result", 42)).send().join();

      await().atMost(AWAIT).until(zeebe::records, has(instance, "PROCESS_INSTANCE", "ELEMENT_COMPLETED",
          "\"bpmnElementType\":\"PROCESS\""));
      assertTrue(has(instance, "VARIABLE", "CREATED", "\"name\":\"result\"", "\"value\":\"42\"")
          .test(zeebe.records()), "variable record of the completion");

      // The same records through the record log view.
      ZeebeRecords records = zeebe.recordLog();
      assertTrue(records.events(Long.toString(instance), "PROCESS_INSTANCE").stream()
          .anyMatch(r -> r.path("intent").asText().equals("ELEMENT_COMPLETED")
              && r.path("value").path("bpmnElementType").asText().equals("PROCESS")));
      assertTrue(records.events(Long.toString(instance), "INCIDENT").isEmpty());
      int before = zeebe.records().size();
      ZeebeRecords.Batch all = records.readSince(0, line -> line.contains("\"processInstanceKey\":" + instance));
      assertTrue(all.lines() >= before, all.lines() + " lines, " + before + " before");
      assertFalse(all.kept().isEmpty());
      assertTrue(records.readSince(all.lines(), line -> true).lines() < all.lines(), "reads only what is new");
    }
  }

  @Test
  void failingWithoutRetriesRaisesAnIncident(LocalZeebe zeebe) {
    String type = "fails-" + shortId();
    String processId = deploy(zeebe, serviceTaskProcess("incident-" + shortId(), type));
    try (ZeebeClient client = client(zeebe)) {
      long instance = client.newCreateInstanceCommand().bpmnProcessId(processId).latestVersion()
          .send().join().getProcessInstanceKey();
      ActivatedJob job = activateOne(client, type, instance);
      client.newFailCommand(job.getKey()).retries(0).errorMessage("boom").send().join();

      await().atMost(AWAIT).until(zeebe::records, has(instance, "INCIDENT", "CREATED",
          "\"errorType\":\"JOB_NO_RETRIES\"", "\"errorMessage\":\"boom\""));
    }
  }

  @Test
  void increaseTimeFiresADueTimer(LocalZeebe zeebe) {
    String processId = "timer-" + shortId();
    deploy(zeebe, "<bpmn:process id=\"" + processId + "\" isExecutable=\"true\">"
        + "<bpmn:startEvent id=\"start\"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>"
        + "<bpmn:sequenceFlow id=\"f1\" sourceRef=\"start\" targetRef=\"wait\"/>"
        + "<bpmn:intermediateCatchEvent id=\"wait\"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
        + "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>"
        + "</bpmn:intermediateCatchEvent>"
        + "<bpmn:sequenceFlow id=\"f2\" sourceRef=\"wait\" targetRef=\"end\"/>"
        + "<bpmn:endEvent id=\"end\"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>"
        + "</bpmn:process>");
    try (ZeebeClient client = client(zeebe)) {
      long instance = client.newCreateInstanceCommand().bpmnProcessId(processId).latestVersion()
          .send().join().getProcessInstanceKey();
      await().atMost(AWAIT).until(zeebe::records, has(instance, "TIMER", "CREATED"));

      zeebe.increaseTime(Duration.ofHours(1));

      await().atMost(AWAIT).until(zeebe::records, has(instance, "PROCESS_INSTANCE", "ELEMENT_COMPLETED",
          "\"bpmnElementType\":\"PROCESS\""));
    }
    assertThrows(IllegalArgumentException.class, () -> zeebe.increaseTime(Duration.ofMillis(-1)));
  }

  @Test
  void restartComesBackOnTheSamePortWithoutTheOldState() {
    try (LocalZeebe zeebe = LocalZeebe.create()) {
      zeebe.start();
      int port = zeebe.port();
      String processId = deploy(zeebe, serviceTaskProcess("restart-" + shortId(), "t"));
      assertTrue(zeebe.records().stream().anyMatch(line -> line.contains(processId)));

      zeebe.restart();

      assertEquals(port, zeebe.port());
      assertTrue(zeebe.isRunning());
      // In-memory engine: deployments, instances and records are gone after a restart.
      assertTrue(zeebe.records().stream().noneMatch(line -> line.contains(processId)));
      // A client configured with the old address works again.
      deploy(zeebe, serviceTaskProcess(processId, "t"));
      zeebe.kill();
      assertFalse(zeebe.isRunning());
      assertThrows(IllegalStateException.class, zeebe::controlUrl);
    }
  }

  @Test
  void withoutAJava21RuntimeStartFailsSayingWhatToInstall(@TempDir Path fakeJdk) throws Exception {
    // A "Java home" whose release file says 17: what findJava sees when only an old JDK is configured.
    Files.writeString(fakeJdk.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
    String previous = System.getProperty(JavaRuntimes.JAVA_HOME_OVERRIDE_PROPERTY);
    System.setProperty(JavaRuntimes.JAVA_HOME_OVERRIDE_PROPERTY, fakeJdk.toString());
    try (LocalZeebe zeebe = LocalZeebe.create()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, zeebe::start);
      assertTrue(e.getMessage().contains("Java 21+"), e.getMessage());
      assertFalse(zeebe.isRunning());
    } finally {
      if (previous == null) {
        System.clearProperty(JavaRuntimes.JAVA_HOME_OVERRIDE_PROPERTY);
      } else {
        System.setProperty(JavaRuntimes.JAVA_HOME_OVERRIDE_PROPERTY, previous);
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private static ZeebeClient client(LocalZeebe zeebe) {
    return ZeebeClient.newClientBuilder()
        .grpcAddress(zeebe.grpcUri())
        .usePlaintext()
        .preferRestOverGrpc(false)
        .defaultRequestTimeout(Duration.ofSeconds(10))
        .build();
  }

  /** Deploys a process given as {@code <bpmn:process>} XML; returns its BPMN process id. */
  private static String deploy(LocalZeebe zeebe, String processXml) {
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        + "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\""
        + " xmlns:zeebe=\"http://camunda.org/schema/zeebe/1.0\" id=\"definitions\""
        + " targetNamespace=\"http://polyworker.io/test\">" + processXml + "</bpmn:definitions>";
    try (ZeebeClient client = client(zeebe)) {
      return client.newDeployResourceCommand().addResourceStringUtf8(xml, "process.bpmn").send().join()
          .getProcesses().get(0).getBpmnProcessId();
    }
  }

  private static String serviceTaskProcess(String processId, String jobType) {
    return "<bpmn:process id=\"" + processId + "\" isExecutable=\"true\">"
        + "<bpmn:startEvent id=\"start\"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>"
        + "<bpmn:sequenceFlow id=\"f1\" sourceRef=\"start\" targetRef=\"task\"/>"
        + "<bpmn:serviceTask id=\"task\"><bpmn:extensionElements><zeebe:taskDefinition type=\"" + jobType + "\"/>"
        + "</bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>"
        + "<bpmn:sequenceFlow id=\"f2\" sourceRef=\"task\" targetRef=\"end\"/>"
        + "<bpmn:endEvent id=\"end\"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>"
        + "</bpmn:process>";
  }

  /** The job of {@code instance}: activateJobs does not long-poll on this engine, so poll. */
  private static ActivatedJob activateOne(ZeebeClient client, String type, long instance) {
    return await().atMost(AWAIT).until(
        () -> client.newActivateJobsCommand().jobType(type).maxJobsToActivate(10).timeout(Duration.ofMinutes(1))
            .send().join().getJobs().stream().filter(job -> job.getProcessInstanceKey() == instance)
            .findFirst().orElse(null),
        job -> job != null);
  }

  /**
   * A record of {@code valueType} and {@code intent} for process instance {@code instance} whose JSON
   * contains every one of {@code fragments}.
   */
  private static Predicate<List<String>> has(long instance, String valueType, String intent, String... fragments) {
    return records -> records.stream().anyMatch(line -> line.contains("\"valueType\":\"" + valueType + "\"")
        && line.contains("\"intent\":\"" + intent + "\"")
        && line.contains("\"processInstanceKey\":" + instance)
        && List.of(fragments).stream().allMatch(line::contains));
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
