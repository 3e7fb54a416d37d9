package io.polyworker.testkit.engines;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Read-only view of what a Camunda 7 engine recorded, through its REST API (history, incidents,
 * external task log, counts), with plain HTTP: independent of any Polyworker client. Rows are
 * Jackson nodes as the REST API renders them; variables are not deserialized.
 *
 * <pre>{@code
 * CamundaHistory history = LocalCamunda.shared().history();
 * Optional<JsonNode> instance = history.processInstance(id); // "state": ACTIVE, COMPLETED, ...
 * }</pre>
 */
public final class CamundaHistory extends RestRecords {
  /** Rows per page of {@link #all}. */
  public static final int PAGE = 2_000;
  private CamundaHistory(Supplier<String> restUrl) {
    super(restUrl);
  }

  /** The history at a REST base URL such as {@code http://127.0.0.1:8080/engine-rest}. */
  public static CamundaHistory at(String restUrl) {
    Objects.requireNonNull(restUrl, "restUrl");
    return new CamundaHistory(() -> restUrl);
  }

  /** The history of a local engine, on whatever port it runs at the time of each query. */
  static CamundaHistory of(CamundaRestEngine camunda) {
    return new CamundaHistory(camunda::restUrl);
  }

  /** The REST base URL queried, without a trailing slash. */
  public String restUrl() {
    return base();
  }

  /** The historic process instance, or empty when the engine does not know it. */
  public Optional<JsonNode> processInstance(String processInstanceId) {
    return Optional.ofNullable(RecordHttp.getOrNull(restUrl() + "/history/process-instance/" + encode(processInstanceId)));
  }

  /** The open incidents of one instance. */
  public List<JsonNode> incidents(String processInstanceId) {
    return list(RecordHttp.get(restUrl() + "/incident?processInstanceId=" + encode(processInstanceId)
        + "&deserializeValues=false"));
  }

  /** The historic variable instances of one instance (serialized values: decode them yourself). */
  public List<JsonNode> variableInstances(String processInstanceId) {
    return list(RecordHttp.get(restUrl() + "/history/variable-instance?processInstanceId="
        + encode(processInstanceId) + "&deserializeValues=false"));
  }

  /** The external task log of one instance, oldest first. */
  public List<JsonNode> externalTaskLog(String processInstanceId) {
    return all("/history/external-task-log?processInstanceId=" + encode(processInstanceId)
        + "&sortBy=timestamp&sortOrder=asc");
  }

  /** The {@code count} of a count query such as {@code /history/process-instance/count?completed=true}. */
  public int count(String pathAndQuery) {
    return RecordHttp.get(restUrl() + pathAndQuery).path("count").asInt();
  }

  /**
   * Every row of a list query ({@code pathAndQuery} with a {@code ?}), page by page. Pages are only
   * consistent when the sort order is total: many log entries share a millisecond timestamp under
   * load, and sorting by it let one entry appear on two pages and another on none (seen as one task
   * "completed twice" and one "never" on JDK 25). So sort by unique ids; rows are also kept once by
   * their own id as a second guard.
   */
  public List<JsonNode> all(String pathAndQuery) {
    Map<String, JsonNode> rows = new LinkedHashMap<>();
    int unnamed = 0;
    for (int first = 0; first < 1_000_000; first += PAGE) { // bounded
      JsonNode page = RecordHttp.get(restUrl() + pathAndQuery + "&firstResult=" + first + "&maxResults=" + PAGE);
      for (JsonNode row : page) {
        String id = row.path("id").asText("");
        rows.putIfAbsent(id.isEmpty() ? "#" + unnamed++ : id, row);
      }
      if (page.size() < PAGE) {
        break;
      }
    }
    return new ArrayList<>(rows.values());
  }

  /** {@code text} encoded for a query parameter. */
  public static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> rows = new ArrayList<>();
    array.forEach(rows::add);
    return rows;
  }
}
