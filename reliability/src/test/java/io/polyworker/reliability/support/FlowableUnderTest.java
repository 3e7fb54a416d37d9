package io.polyworker.reliability.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.engine.Engine;
import io.polyworker.flowable.FlowableEngine;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.LocalEngine;
import io.polyworker.testkit.engines.LocalFlowable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Flowable 7 for the reliability tests: the JVM's shared {@link LocalFlowable} (H2 file database, so
 * a kill keeps the data) and Flowable's own REST APIs as the ledger. Flowable keeps no history of
 * external job completions or failures, so the ledger reads: the instance's state from history; one
 * completion for every instance that ended normally (its only task finished once: a completed job is
 * deleted, and completing it again answers 404); failures and incidents from the job's exception
 * message and the dead-letter jobs. Flowable carries out a completion asynchronously: an instance whose
 * completion was accepted but whose continuation job has not run yet (after a crash it stays locked
 * by the dead executor until that lock expires) is {@link #COMPLETING}, with its one completion.
 */
public final class FlowableUnderTest extends EngineUnderTest {
  private static final int PAGE = 1_000;
  private final LocalFlowable flowable = LocalFlowable.shared();
  private final Map<String, String> definitionIds = new HashMap<>();

  @Override
  public String id() {
    return "flowable";
  }

  @Override
  public Dialect dialect() {
    return Dialect.FLOWABLE;
  }

  @Override
  public LocalEngine local() {
    return flowable;
  }

  @Override
  public Engine connect(int port, Duration requestTimeout) {
    return FlowableEngine.builder().baseUrl("http://127.0.0.1:" + port)
        .connectTimeout(Duration.ofSeconds(2)).requestTimeout(requestTimeout).build();
  }

  @Override
  public boolean speaksHttp() {
    return true;
  }

  @Override
  public Integer initialRetries() {
    return 3;
  }

  @Override
  public boolean keepsDataAcrossRestart() {
    return true;
  }

  private String processApi() {
    return "http://127.0.0.1:" + port() + "/process-api";
  }

  private String jobApi() {
    return "http://127.0.0.1:" + port() + "/external-job-api";
  }

  /** The id of the (only) deployed version of {@code processKey}; the REST queries filter by id, not key. */
  private synchronized String definitionId(String processKey) {
    return definitionIds.computeIfAbsent(processKey, k -> RestJson.get(processApi()
        + "/repository/process-definitions?latest=true&key=" + URLEncoder.encode(k, StandardCharsets.UTF_8))
        .path("data").get(0).path("id").asText());
  }

  private List<JsonNode> pages(String url) {
    List<JsonNode> rows = new ArrayList<>();
    for (int start = 0; start < 1_000_000; start += PAGE) { // bounded
      JsonNode page = RestJson.get(url + (url.contains("?") ? "&" : "?") + "start=" + start + "&size=" + PAGE);
      page.path("data").forEach(rows::add);
      if (page.path("data").size() < PAGE) {
        break;
      }
    }
    return rows;
  }

  @Override
  public Map<String, Outcome> ledger(String processKey) {
    String definition = URLEncoder.encode(definitionId(processKey), StandardCharsets.UTF_8);
    Map<String, int[]> counts = new HashMap<>(); // completions, failures, incident
    for (JsonNode job : pages(jobApi() + "/jobs?processDefinitionId=" + definition + "&sort=id&order=asc")) {
      if (!job.path("exceptionMessage").isNull() && !job.path("exceptionMessage").isMissingNode()) {
        counts.computeIfAbsent(job.path("processInstanceId").asText(), k -> new int[3])[1]++;
      }
    }
    for (JsonNode dead : pages(processApi() + "/management/deadletter-jobs?processDefinitionId=" + definition
        + "&sort=id&order=asc")) {
      int[] c = counts.computeIfAbsent(dead.path("processInstanceId").asText(), k -> new int[3]);
      c[1]++;
      c[2] = 1;
    }
    java.util.Set<String> completing = new java.util.HashSet<>();
    for (JsonNode job : pages(processApi() + "/management/jobs?processDefinitionId=" + definition + "&sort=id&order=asc")) {
      if ("external-worker-complete".equals(job.path("handlerType").asText())) {
        completing.add(job.path("processInstanceId").asText());
      }
    }
    Map<String, Outcome> ledger = new HashMap<>();
    for (JsonNode i : pages(processApi() + "/history/historic-process-instances?processDefinitionId=" + definition
        + "&sort=processInstanceId&order=asc")) {
      String id = i.path("id").asText();
      String state;
      if (i.path("endTime").isNull() || i.path("endTime").isMissingNode()) {
        state = completing.contains(id) ? COMPLETING : "ACTIVE";
      } else {
        state = i.path("deleteReason").isNull() || i.path("deleteReason").isMissingNode() ? "COMPLETED" : "TERMINATED";
      }
      int[] c = counts.getOrDefault(id, new int[3]);
      int completions = state.equals("COMPLETED") || state.equals(COMPLETING) ? 1 : 0;
      ledger.put(id, new Outcome(id, state, completions, c[1], c[2] == 1, List.of()));
    }
    return ledger;
  }

  @Override
  public Progress progress(String processKey, String topic) {
    String definition = URLEncoder.encode(definitionId(processKey), StandardCharsets.UTF_8);
    int completed = RestJson.get(processApi() + "/history/historic-process-instances?finished=true&size=1&processDefinitionId="
        + definition).path("total").asInt();
    int dead = RestJson.get(processApi() + "/management/deadletter-jobs?size=1&processDefinitionId=" + definition)
        .path("total").asInt();
    int completing = 0;
    for (JsonNode job : pages(processApi() + "/management/jobs?processDefinitionId=" + definition + "&sort=id&order=asc")) {
      completing += "external-worker-complete".equals(job.path("handlerType").asText()) ? 1 : 0;
    }
    return new Progress(completed + completing, dead);
  }

  @Override
  public Map<String, String> config(int port) {
    return Map.of("polyworker.engine", "flowable", "polyworker.url", "http://127.0.0.1:" + port);
  }

  @Override
  public void cancel(String instanceId) {
    RestJson.delete(processApi() + "/runtime/process-instances/" + instanceId, 204);
  }

  @Override
  public int openJobs(String processKey, String topic) {
    return RestJson.get(jobApi() + "/jobs?size=1&processDefinitionId="
        + URLEncoder.encode(definitionId(processKey), StandardCharsets.UTF_8)).path("total").asInt();
  }
}
