package io.polyworker.reliability.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.engine.Engine;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.CamundaHistory;
import io.polyworker.testkit.engines.CamundaRestEngine;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.testkit.engines.LocalEngine;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Camunda 7 (or a fork with its REST API, such as Operaton) for the reliability tests: the JVM's
 * shared {@link LocalCamunda} by default (H2 file database, so a
 * kill keeps the data), and the engine's history ({@link CamundaHistory}) as the ledger: the external
 * task log records every creation, failure and success of every task with the worker id.
 */
public final class CamundaUnderTest extends EngineUnderTest {
  private final CamundaRestEngine camunda;
  private final CamundaHistory history;

  /** The shared Camunda 7.24. */
  public CamundaUnderTest() {
    this(LocalCamunda.shared());
  }

  /** Another engine with Camunda 7's REST API: the shared {@code LocalOperaton}, say. */
  public CamundaUnderTest(CamundaRestEngine engine) {
    this.camunda = engine;
    this.history = engine.history();
  }

  /** {@code camunda}, or {@code operaton} on Operaton (both under the engine id {@code camunda}). */
  @Override
  public String id() {
    return camunda instanceof LocalCamunda ? "camunda" : "operaton";
  }

  @Override
  public Dialect dialect() {
    return Dialect.CAMUNDA;
  }

  @Override
  public LocalEngine local() {
    return camunda; // not shared(): that would start a killed engine again behind a test's back
  }

  private String rest() {
    return "http://127.0.0.1:" + port() + "/engine-rest";
  }

  @Override
  public Engine connect(int port, Duration requestTimeout) {
    return CamundaEngine.builder().baseUrl("http://127.0.0.1:" + port + "/engine-rest")
        .connectTimeout(Duration.ofSeconds(2)).requestTimeout(requestTimeout).build();
  }

  @Override
  public boolean speaksHttp() {
    return true;
  }

  @Override
  public Integer initialRetries() {
    return null;
  }

  @Override
  public boolean keepsDataAcrossRestart() {
    return true;
  }

  @Override
  public Map<String, Outcome> ledger(String processKey) {
    String key = URLEncoder.encode(processKey, StandardCharsets.UTF_8);
    Map<String, String> states = new HashMap<>();
    for (JsonNode i : pages("/history/process-instance?processDefinitionKey=" + key + "&sortBy=instanceId&sortOrder=asc")) {
      String state = i.path("state").asText();
      states.put(i.path("id").asText(), state.endsWith("TERMINATED") ? "TERMINATED" : state);
    }
    Map<String, int[]> counts = new HashMap<>(); // completions, failures, open incidents
    Map<String, List<String>> workers = new HashMap<>();
    for (JsonNode log : pages("/history/external-task-log?processDefinitionKey=" + key
        + "&successLog=true&sortBy=externalTaskId&sortOrder=asc")) {
      String pi = log.path("processInstanceId").asText();
      counts.computeIfAbsent(pi, k -> new int[3])[0]++;
      workers.computeIfAbsent(pi, k -> new ArrayList<>()).add(log.path("workerId").asText());
    }
    for (JsonNode log : pages("/history/external-task-log?processDefinitionKey=" + key
        + "&failureLog=true&sortBy=externalTaskId&sortOrder=asc")) {
      counts.computeIfAbsent(log.path("processInstanceId").asText(), k -> new int[3])[1]++;
    }
    for (JsonNode incident : pages("/incident?processDefinitionKeyIn=" + key
        + "&incidentType=failedExternalTask&sortBy=incidentId&sortOrder=asc")) {
      counts.computeIfAbsent(incident.path("processInstanceId").asText(), k -> new int[3])[2]++;
    }
    Map<String, Outcome> ledger = new HashMap<>();
    states.forEach((pi, state) -> {
      int[] c = counts.getOrDefault(pi, new int[3]);
      ledger.put(pi, new Outcome(pi, state, c[0], c[1], c[2] > 0,
          workers.getOrDefault(pi, List.of())));
    });
    return ledger;
  }

  /** Every row of a list query sorted by unique ids, paged: see {@link CamundaHistory#all}. */
  private List<JsonNode> pages(String pathAndQuery) {
    return history.all(pathAndQuery);
  }

  @Override
  public Progress progress(String processKey, String topic) {
    int completed = history.count("/history/process-instance/count?completed=true&processDefinitionKey="
        + URLEncoder.encode(processKey, StandardCharsets.UTF_8));
    int failed = history.count("/external-task/count?noRetriesLeft=true&topicName="
        + URLEncoder.encode(topic, StandardCharsets.UTF_8));
    return new Progress(completed, failed);
  }

  @Override
  public Map<String, String> config(int port) {
    return Map.of("polyworker.engine", "camunda", "polyworker.url", "http://127.0.0.1:" + port + "/engine-rest");
  }

  @Override
  public void cancel(String instanceId) {
    RestJson.delete(rest() + "/process-instance/" + instanceId + "?skipCustomListeners=true", 204);
  }

  @Override
  public int openJobs(String processKey, String topic) {
    return history.count("/external-task/count?topicName=" + URLEncoder.encode(topic, StandardCharsets.UTF_8));
  }

  /** The external task log of one instance, oldest first (for messages and detailed checks). */
  public List<JsonNode> taskLog(String instanceId) {
    return history.externalTaskLog(instanceId);
  }

  /** The REST root of the engine itself. */
  public String restUrl() {
    return rest();
  }
}
