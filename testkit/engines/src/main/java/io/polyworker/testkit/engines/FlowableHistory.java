package io.polyworker.testkit.engines;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Read-only view of what a Flowable engine recorded, through its process and external worker job
 * REST APIs (history, jobs, dead-letter jobs), with plain HTTP: independent of any Polyworker
 * client. Rows are Jackson nodes as the REST APIs render them. Flowable keeps no history of external
 * job completions or failures: a completed job is deleted, a failed one keeps its exception message.
 */
public final class FlowableHistory extends RestRecords {
  /** Rows per page of the paged queries. */
  public static final int PAGE = 1_000;
  /** {@link #state} of an instance that has not ended. */
  public static final String ACTIVE = "ACTIVE";
  /** {@link #state} of an instance that ended normally. */
  public static final String COMPLETED = "COMPLETED";
  /** {@link #state} of an instance that was deleted. */
  public static final String TERMINATED = "TERMINATED";
  private FlowableHistory(Supplier<String> baseUrl) {
    super(baseUrl);
  }

  /** The history of the server at {@code baseUrl}, such as {@code http://127.0.0.1:8080}. */
  public static FlowableHistory at(String baseUrl) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    return new FlowableHistory(() -> baseUrl);
  }

  /** The history of a local engine, on whatever port it runs at the time of each query. */
  static FlowableHistory of(LocalFlowable flowable) {
    return new FlowableHistory(flowable::baseUrl);
  }

  private String processApi() {
    return base() + "/process-api";
  }

  private String jobApi() {
    return base() + "/external-job-api";
  }

  /** The historic process instance, or empty when the engine does not know it. */
  public Optional<JsonNode> processInstance(String processInstanceId) {
    return Optional.ofNullable(RecordHttp.getOrNull(processApi() + "/history/historic-process-instances/"
        + encode(processInstanceId)));
  }

  /** {@link #ACTIVE}, {@link #COMPLETED} or {@link #TERMINATED}: a historic instance's state by its end time and delete reason. */
  public static String state(JsonNode historicInstance) {
    if (absent(historicInstance.path("endTime"))) {
      return ACTIVE;
    }
    return absent(historicInstance.path("deleteReason")) ? COMPLETED : TERMINATED;
  }

  /** The historic variable instances of one instance, of every scope. */
  public List<JsonNode> variableInstances(String processInstanceId) {
    return pages(processApi() + "/history/historic-variable-instances?processInstanceId=" + encode(processInstanceId));
  }

  /** How many dead-letter jobs (Flowable's incidents) one instance has. */
  public int deadLetterJobCount(String processInstanceId) {
    return total(processApi() + "/management/deadletter-jobs?processInstanceId=" + encode(processInstanceId));
  }

  /** The id of the latest deployed version of {@code processKey}; the REST queries filter by id, not key. */
  public String definitionId(String processKey) {
    return RecordHttp.get(processApi() + "/repository/process-definitions?latest=true&key=" + encode(processKey))
        .path("data").get(0).path("id").asText();
  }

  /** Every historic instance of a process definition, by instance id. */
  public List<JsonNode> processInstances(String definitionId) {
    return pages(processApi() + "/history/historic-process-instances?processDefinitionId=" + encode(definitionId)
        + "&sort=processInstanceId&order=asc");
  }

  /** How many instances of a process definition have ended. */
  public int finishedInstanceCount(String definitionId) {
    return total(processApi() + "/history/historic-process-instances?finished=true&processDefinitionId="
        + encode(definitionId));
  }

  /** Every open external worker job of a process definition, by id. */
  public List<JsonNode> externalJobs(String definitionId) {
    return pages(jobApi() + "/jobs?processDefinitionId=" + encode(definitionId) + "&sort=id&order=asc");
  }

  /** How many external worker jobs of a process definition are open. */
  public int externalJobCount(String definitionId) {
    return total(jobApi() + "/jobs?processDefinitionId=" + encode(definitionId));
  }

  /** Every dead-letter job of a process definition, by id. */
  public List<JsonNode> deadLetterJobs(String definitionId) {
    return pages(processApi() + "/management/deadletter-jobs?processDefinitionId=" + encode(definitionId)
        + "&sort=id&order=asc");
  }

  /** How many dead-letter jobs a process definition has. */
  public int deadLetterJobCountOfDefinition(String definitionId) {
    return total(processApi() + "/management/deadletter-jobs?processDefinitionId=" + encode(definitionId));
  }

  /** Every (async executor) job of a process definition, by id; {@code handlerType} tells what it will do. */
  public List<JsonNode> jobs(String definitionId) {
    return pages(processApi() + "/management/jobs?processDefinitionId=" + encode(definitionId) + "&sort=id&order=asc");
  }

  private static int total(String url) {
    return RecordHttp.get(url + "&size=1").path("total").asInt();
  }

  private static List<JsonNode> pages(String url) {
    List<JsonNode> rows = new ArrayList<>();
    for (int start = 0; start < 1_000_000; start += PAGE) { // bounded
      JsonNode page = RecordHttp.get(url + (url.contains("?") ? "&" : "?") + "start=" + start + "&size=" + PAGE);
      page.path("data").forEach(rows::add);
      if (page.path("data").size() < PAGE) {
        break;
      }
    }
    return rows;
  }

  private static boolean absent(JsonNode node) {
    return node.isNull() || node.isMissingNode();
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
