package io.polyworker.camunda.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyworker.MalformedAnswerException;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineCapabilities;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.support.internal.Dates;
import io.polyworker.support.internal.EngineClientBase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** Camunda 7 external tasks through {@code /external-task}. */
final class CamundaJobClient extends EngineClientBase {
  /** Camunda stores error messages in a 666-character column; longer ones fail the request. */
  private static final int MAX_ERROR_MESSAGE = 600;

  private static final EngineCapabilities CAPABILITIES = EngineCapabilities.builder()
      .with(Capability.LONG_POLLING, Capability.LOCK_EXTENSION, Capability.RELEASE,
          Capability.LOCK_OWNERSHIP, Capability.LOCAL_VARIABLES, Capability.BUSINESS_KEYS,
          Capability.BUSINESS_KEY_FILTER,
          Capability.PROCESS_DEFINITION_FILTER, Capability.TENANT_FILTER, Capability.VARIABLE_FILTER,
          Capability.PRIORITY, Capability.INCIDENTS, Capability.AWAIT_FAILS_FAST,
          Capability.MULTI_TOPIC_FETCH)
      .without(Capability.JOB_PROBE, "Camunda 7 long-polls: one shared long poll covers a worker's"
          + " idle topics, so no probe is needed")
      .without(Capability.STREAMING, "Camunda 7 has no push streaming of external tasks; long polling serves instead")
      .without(Capability.CMMN, "Camunda 7 has no CMMN external tasks")
      .without(Capability.MESSAGE_BUFFERING, "Camunda 7 correlates messages only to subscriptions"
          + " that wait now; Polyworker retries a message with a time to live in the background")
      .without(Capability.START_NEEDS_NONE_START_EVENT, "Camunda 7 starts a process whose only start"
          + " event is a message start event through that event")
      .build();

  private final CamundaHttp http;

  CamundaJobClient(CamundaHttp http) {
    super(CamundaEngine.ID, CAPABILITIES);
    this.http = http;
  }

  @Override
  public CompletableFuture<List<LockedJob>> fetchAndLock(FetchRequest request) {
    return fetchAndLock(List.of(request));
  }

  /** One fetchAndLock request whose {@code topics} array holds every request's topic. */
  @Override
  public CompletableFuture<List<LockedJob>> fetchAndLock(List<FetchRequest> requests) {
    FetchRequest.requireCombinable(requests);
    FetchRequest first = requests.get(0);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("workerId", first.workerId());
    body.put("maxTasks", first.maxJobs());
    body.put("usePriority", first.usePriority());
    long longPoll = first.longPollTimeout().toMillis();
    if (longPoll > 0) {
      body.put("asyncResponseTimeout", longPoll);
    }
    ArrayNode topics = body.putArray("topics");
    for (FetchRequest request : requests) {
      ObjectNode topic = topics.addObject();
      topic.put("topicName", request.topic());
      topic.put("lockDuration", request.lockDuration().toMillis());
      if (request.variables() != null) {
        ArrayNode names = topic.putArray("variables");
        request.variables().forEach(names::add);
      }
      if (request.businessKey() != null) {
        topic.put("businessKey", request.businessKey());
      }
      if (request.processDefinitionKey() != null) {
        topic.put("processDefinitionKey", request.processDefinitionKey());
      }
      if (request.tenantIds() != null) {
        ArrayNode tenants = topic.putArray("tenantIdIn");
        request.tenantIds().forEach(tenants::add);
      }
      topic.put("deserializeValues", false);
      topic.put("includeExtensionProperties", true);
    }
    return http.postAsync("fetchAndLock", http.url("external-task", "fetchAndLock"), body,
            first.longPollTimeout())
        .thenApply(answer -> parseJobs(answer, requests));
  }

  static List<LockedJob> parseJobs(@Nullable JsonNode answer, FetchRequest request) {
    return parseJobs(answer, List.of(request));
  }

  static List<LockedJob> parseJobs(@Nullable JsonNode answer, List<FetchRequest> requests) {
    if (answer == null || !answer.isArray()) {
      throw new MalformedAnswerException(CamundaEngine.ID, "fetchAndLock", 200, String.valueOf(answer),
          "expected a JSON array of external tasks", null);
    }
    List<LockedJob> jobs = new ArrayList<>(answer.size());
    for (JsonNode task : answer) {
      jobs.add(parseJob(task, requests));
    }
    return jobs;
  }

  /**
   * Reads one task. A task that is not an object or has no id fails the whole fetch (nothing can be
   * reported for it); any other unreadable part makes it an {@link LockedJob#unreadable} job, which
   * the runtime fails with the reason while the tasks fetched with it run as usual.
   */
  private static LockedJob parseJob(JsonNode task, List<FetchRequest> requests) {
    if (!task.isObject()) {
      throw new MalformedAnswerException(CamundaEngine.ID, "fetchAndLock", 200, task.toString(),
          "an external task cannot be read: an external task is not a JSON object", null);
    }
    JsonNode idNode = task.get("id");
    if (idNode == null || !idNode.isTextual() || idNode.asText().isBlank()) {
      throw new MalformedAnswerException(CamundaEngine.ID, "fetchAndLock", 200, task.toString(),
          "an external task cannot be read: its field 'id' is missing or not a string", null);
    }
    String id = idNode.asText();
    FetchRequest request = requestOf(task, requests);
    // Read first what an unreadable task still needs; whatever was read before a failure is kept.
    Integer retries = null;
    Instant lockExpiresAt = null;
    try {
      if (requests.size() > 1 && !request.topic().equals(topicName(task))) {
        throw new MalformedAnswerException(CamundaEngine.ID, "fetchAndLock", 200, task.toString(),
            "its field 'topicName' names none of the topics asked for", null);
      }
      retries = retries(task);
      String expiry = text(task, "lockExpirationTime");
      lockExpiresAt = expiry != null ? Dates.parse(expiry)
          : Instant.now().plus(request.lockDuration());
      return LockedJob.builder()
          .engine(CamundaEngine.ID)
          .id(id)
          .topic(topic(task, request))
          .processInstanceId(text(task, "processInstanceId"))
          .processDefinitionKey(text(task, "processDefinitionKey"))
          .elementId(text(task, "activityId"))
          .businessKey(text(task, "businessKey"))
          .tenantId(text(task, "tenantId"))
          .retries(retries)
          .lockExpiresAt(lockExpiresAt)
          .headers(headers(task.get("extensionProperties")))
          .variables(CamundaVariables.decodeAll("fetchAndLock", task.get("variables")))
          .nativeJob(task)
          .build();
    } catch (RuntimeException e) {
      String why = e instanceof MalformedAnswerException m ? m.detail() : e.getMessage();
      MalformedAnswerException error = new MalformedAnswerException(CamundaEngine.ID, "fetchAndLock", 200,
          task.toString(), "external task " + id + " cannot be read: " + why, e);
      // An unreadable lock expiry is assumed to run from now.
      return LockedJob.unreadable(CamundaEngine.ID, id, topic(task, request), retries,
          lockExpiresAt != null ? lockExpiresAt : Instant.now().plus(request.lockDuration()), task, error);
    }
  }

  private static String topic(JsonNode task, FetchRequest request) {
    String topic = text(task, "topicName");
    return topic != null ? topic : request.topic();
  }

  private static @Nullable String topicName(JsonNode task) {
    JsonNode topic = task.get("topicName");
    return topic != null && topic.isTextual() ? topic.asText() : null;
  }

  /** The request of the task's topic; the first one where the topic is missing or unknown. */
  private static FetchRequest requestOf(JsonNode task, List<FetchRequest> requests) {
    String topic = topicName(task);
    for (FetchRequest r : requests) {
      if (r.topic().equals(topic)) {
        return r;
      }
    }
    return requests.get(0);
  }

  private static @Nullable Integer retries(JsonNode task) {
    JsonNode retries = task.get("retries");
    if (retries == null || retries.isNull()) {
      return null;
    }
    if (!retries.canConvertToInt() || !retries.isIntegralNumber()) {
      throw new IllegalArgumentException("retries is not a whole number: " + retries);
    }
    return retries.asInt();
  }

  private static @Nullable String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Map<String, String> headers(@Nullable JsonNode properties) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (properties != null && properties.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = properties.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        headers.put(e.getKey(), e.getValue().asText());
      }
    }
    return headers;
  }

  @Override
  public void complete(LockedJob job, String workerId, Map<String, ? extends @Nullable Object> variables,
      Map<String, ? extends @Nullable Object> localVariables) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("workerId", workerId);
    body.set("variables", CamundaVariables.encodeAll(variables));
    body.set("localVariables", CamundaVariables.encodeAll(localVariables));
    http.post("complete", http.url("external-task", job.id(), "complete"), body);
  }

  @Override
  public void fail(LockedJob job, String workerId, String errorMessage, @Nullable String errorDetails,
      int retries, Duration retryBackoff) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("workerId", workerId);
    body.put("errorMessage", errorMessage.length() <= MAX_ERROR_MESSAGE ? errorMessage
        : errorMessage.substring(0, MAX_ERROR_MESSAGE) + "…");
    if (errorDetails != null) {
      body.put("errorDetails", errorDetails);
    }
    body.put("retries", retries);
    body.put("retryTimeout", retryBackoff.toMillis());
    http.post("fail", http.url("external-task", job.id(), "failure"), body);
  }

  @Override
  public void bpmnError(LockedJob job, String workerId, String errorCode, @Nullable String errorMessage,
      Map<String, ? extends @Nullable Object> variables) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("workerId", workerId);
    body.put("errorCode", errorCode);
    if (errorMessage != null) {
      body.put("errorMessage", errorMessage);
    }
    body.set("variables", CamundaVariables.encodeAll(variables));
    http.post("bpmnError", http.url("external-task", job.id(), "bpmnError"), body);
  }

  @Override
  public Instant extendLock(LockedJob job, String workerId, Duration duration) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("workerId", workerId);
    body.put("newDuration", duration.toMillis());
    Instant before = Instant.now();
    http.post("extendLock", http.url("external-task", job.id(), "extendLock"), body);
    return before.plus(duration);
  }

  @Override
  public void release(LockedJob job, String workerId) {
    http.post("release", http.url("external-task", job.id(), "unlock"),
        JsonNodeFactory.instance.objectNode());
  }

  @Override
  public void close() {
    http.close();
  }
}
