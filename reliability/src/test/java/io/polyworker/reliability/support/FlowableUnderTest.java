package io.polyworker.reliability.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.engine.Engine;
import io.polyworker.flowable.FlowableEngine;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.FlowableHistory;
import io.polyworker.testkit.engines.LocalEngine;
import io.polyworker.testkit.engines.LocalFlowable;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Flowable 7 for the reliability tests: the JVM's shared {@link LocalFlowable} (H2 file database, so
 * a kill keeps the data) and Flowable's own REST APIs, read by {@link FlowableHistory}, as the
 * ledger. Flowable keeps no history of external job completions or failures, so the ledger reads:
 * the instance's state from history; one completion for every instance that ended normally (its
 * only task finished once: a completed job is deleted, and completing it again answers 404); failures
 * and incidents from the job's exception message and the dead-letter jobs. Flowable carries out a
 * completion asynchronously: an instance whose completion was accepted but whose continuation job
 * has not run yet (after a crash it stays locked by the dead executor until that lock expires) is
 * {@link #COMPLETING}, with its one completion.
 */
public final class FlowableUnderTest extends EngineUnderTest {
  private final LocalFlowable flowable = LocalFlowable.shared();
  private final FlowableHistory history = flowable.history();
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

  /** The id of the (only) deployed version of {@code processKey}; the REST queries filter by id, not key. */
  private synchronized String definitionId(String processKey) {
    return definitionIds.computeIfAbsent(processKey, history::definitionId);
  }

  @Override
  public Map<String, Outcome> ledger(String processKey) {
    String definition = definitionId(processKey);
    Map<String, int[]> counts = new HashMap<>(); // completions, failures, incident
    for (JsonNode job : history.externalJobs(definition)) {
      if (!job.path("exceptionMessage").isNull() && !job.path("exceptionMessage").isMissingNode()) {
        counts.computeIfAbsent(job.path("processInstanceId").asText(), k -> new int[3])[1]++;
      }
    }
    for (JsonNode dead : history.deadLetterJobs(definition)) {
      int[] c = counts.computeIfAbsent(dead.path("processInstanceId").asText(), k -> new int[3]);
      c[1]++;
      c[2] = 1;
    }
    Set<String> completing = completing(definition);
    Map<String, Outcome> ledger = new HashMap<>();
    for (JsonNode i : history.processInstances(definition)) {
      String id = i.path("id").asText();
      String state = FlowableHistory.state(i);
      if (state.equals(FlowableHistory.ACTIVE) && completing.contains(id)) {
        state = COMPLETING;
      }
      int[] c = counts.getOrDefault(id, new int[3]);
      int completions = state.equals("COMPLETED") || state.equals(COMPLETING) ? 1 : 0;
      ledger.put(id, new Outcome(id, state, completions, c[1], c[2] == 1, List.of()));
    }
    return ledger;
  }

  /** Instances whose job completion was accepted and waits for its continuation job. */
  private Set<String> completing(String definition) {
    Set<String> completing = new HashSet<>();
    for (JsonNode job : history.jobs(definition)) {
      if ("external-worker-complete".equals(job.path("handlerType").asText())) {
        completing.add(job.path("processInstanceId").asText());
      }
    }
    return completing;
  }

  @Override
  public Progress progress(String processKey, String topic) {
    String definition = definitionId(processKey);
    int completed = history.finishedInstanceCount(definition);
    int dead = history.deadLetterJobCountOfDefinition(definition);
    int completing = 0;
    for (JsonNode job : history.jobs(definition)) {
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
    return history.externalJobCount(definitionId(processKey));
  }
}
