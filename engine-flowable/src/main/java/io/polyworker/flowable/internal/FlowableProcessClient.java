package io.polyworker.flowable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.MalformedAnswerException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessInstanceFailedException;
import io.polyworker.ProcessResult;
import io.polyworker.PublishMessage;
import io.polyworker.StartProcess;
import io.polyworker.flowable.FlowableEngine;
import io.polyworker.flowable.internal.FlowableHttp.Api;
import io.polyworker.support.internal.InstanceFollower;
import io.polyworker.support.internal.MessageCorrelator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import org.jspecify.annotations.Nullable;

/**
 * Process operations over Flowable's process REST API.
 *
 * <p>Deploy sends all resources as one zip ({@code .bar}) in a multipart upload, because the
 * deployment endpoint reads only the first file part of a multipart request and would silently drop
 * the rest. The definitions are then read back with a process-definition query by deployment id.
 * Flowable reports definitions it cannot parse as HTTP 500 with the parser's message; those become
 * {@link io.polyworker.InvalidDefinitionException}s (see {@link FlowableHttp#error}).
 */
final class FlowableProcessClient implements ProcessClient {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final MediaType ZIP = MediaType.get("application/zip");
  private static final int MAX_DEPLOYMENT_NAME = 200;

  private static final String AWAIT = "startProcessAndAwait";
  private static final String PUBLISH = "publishMessage";

  private final FlowableHttp http;
  private final MessageCorrelator messages = new MessageCorrelator(FlowableEngine.ID);

  FlowableProcessClient(FlowableHttp http) {
    this.http = http;
  }

  @Override
  public List<DeployedDefinition> deploy(DeploymentResource... resources) {
    if (resources == null || resources.length == 0) {
      throw new IllegalArgumentException("no resources to deploy");
    }
    String name = resources[0].name() + (resources.length > 1 ? " and " + (resources.length - 1)
        + " more" : "");
    if (name.length() > MAX_DEPLOYMENT_NAME) {
      name = name.substring(0, MAX_DEPLOYMENT_NAME);
    }
    RequestBody body = new MultipartBody.Builder()
        .setType(MultipartBody.FORM)
        .addFormDataPart("file", "polyworker-deployment.bar", RequestBody.create(zip(resources), ZIP))
        .build();
    HttpUrl url = http.url(Api.PROCESS, "repository", "deployments").newBuilder()
        .addQueryParameter("deploymentName", name)
        .build();
    JsonNode deployment = http.post("deploy", url, body);
    String deploymentId = deployment == null ? null : text(deployment, "id");
    if (deploymentId == null) {
      throw new MalformedAnswerException(FlowableEngine.ID, "deploy", 201,
          deployment == null ? null : deployment.toString(), "the answer has no deployment 'id'", null);
    }
    JsonNode page = http.get("deploy", http.url(Api.PROCESS, "repository", "process-definitions")
        .newBuilder()
        .addQueryParameter("deploymentId", deploymentId)
        .addQueryParameter("size", "1000")
        .build());
    JsonNode data = dataArray("deploy", page, "process-definition");
    List<DeployedDefinition> result = new ArrayList<>();
    for (JsonNode d : data) {
      String key = text(d, "key");
      String id = text(d, "id");
      JsonNode version = d.get("version");
      String resource = resourceName(text(d, "resource"));
      if (key == null || id == null || version == null || !version.canConvertToInt()
          || resource == null) {
        throw new MalformedAnswerException(FlowableEngine.ID, "deploy", 200, d.toString(),
            "a process definition lacks 'key', 'id', 'version' or 'resource'", null);
      }
      result.add(new DeployedDefinition(key, id, version.intValue(), resource));
    }
    return List.copyOf(result);
  }

  private static byte[] zip(DeploymentResource[] resources) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Set<String> names = new HashSet<>();
    try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
      for (DeploymentResource r : resources) {
        if (!names.add(r.name())) {
          throw new IllegalArgumentException("two resources are named " + r.name());
        }
        zip.putNextEntry(new ZipEntry(r.name()));
        zip.write(r.content());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The definition's {@code resource} is a URL ending in {@code /resources/<name>}. */
  private static @Nullable String resourceName(@Nullable String resourceUrl) {
    if (resourceUrl == null) {
      return null;
    }
    int at = resourceUrl.lastIndexOf("/resources/");
    if (at < 0) {
      return null;
    }
    return URLDecoder.decode(resourceUrl.substring(at + "/resources/".length()), StandardCharsets.UTF_8);
  }


  @Override
  public String startProcess(StartProcess request) {
    return start("startProcess", request);
  }

  private String start(String operation, StartProcess request) {
    ObjectNode body = NODES.objectNode();
    if (request.version() != null) {
      body.put("processDefinitionId", definitionId(operation, request));
    } else {
      body.put("processDefinitionKey", request.processKey());
      if (request.tenantId() != null) {
        body.put("tenantId", request.tenantId());
      }
    }
    if (request.businessKey() != null) {
      body.put("businessKey", request.businessKey());
    }
    body.set("variables", FlowableVariables.encode(request.variables()));
    body.put("returnVariables", false);
    return instanceId(operation, http.post(operation,
        http.url(Api.PROCESS, "runtime", "process-instances"), body));
  }

  private static String instanceId(String operation, @Nullable JsonNode answer) {
    String id = answer == null ? null : text(answer, "id");
    if (id == null) {
      throw new MalformedAnswerException(FlowableEngine.ID, operation, 201,
          answer == null ? null : answer.toString(), "the answer has no process instance 'id'", null);
    }
    return id;
  }

  private String definitionId(String operation, StartProcess request) {
    HttpUrl.Builder url = http.url(Api.PROCESS, "repository", "process-definitions").newBuilder()
        .addQueryParameter("key", request.processKey())
        .addQueryParameter("version", String.valueOf(request.version()));
    if (request.tenantId() != null) {
      url.addQueryParameter("tenantId", request.tenantId());
    }
    JsonNode page = http.get(operation, url.build());
    JsonNode data = dataArray(operation, page, "process-definition");
    if (data.isEmpty() || text(data.get(0), "id") == null) {
      throw new NotFoundException(FlowableEngine.ID, operation, 404, page.toString(), "no process '"
          + request.processKey() + "' of version " + request.version()
          + (request.tenantId() == null ? "" : " for tenant " + request.tenantId()), null);
    }
    return text(data.get(0), "id");
  }

  // ---------------------------------------------------------------- start and await

  @Override
  public ProcessResult startProcessAndAwait(StartProcess request, Duration timeout) {
    String id = start(AWAIT, request);
    return InstanceFollower.await(FlowableEngine.ID, id, timeout,
        () -> check(id, request.fetchVariables()));
  }

  /**
   * One look at the instance through history: its result, null while it runs, or why it failed.
   *
   * <p>A delete reason alone does not mean cancelled: Flowable also writes one when a terminate end
   * event ends the instance ({@code "terminate end event (<id>)"}), with that event as
   * {@code endActivityId}, while a cancellation (a delete through the API, or by a parent) leaves
   * no end activity. Measured on 7.2: cancelled {@code endActivityId=null, deleteReason="cancelled"};
   * terminated {@code endActivityId="end", deleteReason="terminate end event (end)"}.
   */
  private @Nullable ProcessResult check(String id, @Nullable List<String> names) {
    JsonNode instance = http.get(AWAIT, http.url(Api.PROCESS, "history", "historic-process-instances", id));
    if (text(instance, "endTime") != null) {
      String deleteReason = text(instance, "deleteReason");
      if (deleteReason != null
          && !endedByTerminateEndEvent(deleteReason, text(instance, "endActivityId"))) {
        throw new ProcessInstanceFailedException(FlowableEngine.ID, id, "was cancelled ("
            + deleteReason + ")");
      }
      return new ProcessResult(id, endVariables(id, names));
    }
    JsonNode dead = http.get(AWAIT, http.url(Api.PROCESS, "management", "deadletter-jobs").newBuilder()
        .addQueryParameter("processInstanceId", id).build());
    JsonNode jobs = dead.get("data");
    if (jobs != null && jobs.isArray() && !jobs.isEmpty()) {
      JsonNode first = jobs.get(0);
      throw new ProcessInstanceFailedException(FlowableEngine.ID, id, "raised an incident (a"
          + " dead-letter job at " + first.path("elementId").asText("?") + "): "
          + first.path("exceptionMessage").asText(""));
    }
    return null;
  }

  /** Flowable's {@code DeleteReason.TERMINATE_END_EVENT}, followed by the event's id in brackets. */
  private static final String TERMINATE_END_EVENT = "terminate end event";

  static boolean endedByTerminateEndEvent(String deleteReason, @Nullable String endActivityId) {
    return endActivityId != null
        && deleteReason.equals(TERMINATE_END_EVENT + " (" + endActivityId + ")");
  }

  private Map<String, @Nullable Object> endVariables(String id, @Nullable List<String> names) {
    if (names != null && names.isEmpty()) {
      return Map.of();
    }
    JsonNode page = http.get(AWAIT, http.url(Api.PROCESS, "history", "historic-variable-instances")
        .newBuilder()
        .addQueryParameter("processInstanceId", id)
        .addQueryParameter("size", "10000")
        .build());
    JsonNode data = dataArray(AWAIT, page, "historic-variable");
    ArrayNode processScope = NODES.arrayNode();
    for (JsonNode row : data) {
      // Process scope only: variables of the instance's own execution, not of tasks or child executions.
      if (row.hasNonNull("taskId") || !id.equals(text(row, "executionId")) || !row.has("variable")) {
        continue;
      }
      processScope.add(row.get("variable"));
    }
    return FlowableVariables.decode(processScope, names == null ? null : new HashSet<>(names), AWAIT,
        page.toString());
  }

  // ---------------------------------------------------------------- messages

  @Override
  public @Nullable String publishMessage(PublishMessage message) {
    return messages.publish(message, this::correlate);
  }

  /**
   * Correlates once: to an execution waiting for the message in an instance whose business key (or
   * correlation variable) equals the key, else to a message start event; else {@link NotFoundException}.
   */
  private String correlate(PublishMessage message) {
    String instance = deliverToWaitingExecution(message);
    if (instance != null) {
      return instance;
    }
    ObjectNode body = NODES.objectNode().put("message", message.name());
    if (message.correlationVariable() == null) {
      body.put("businessKey", message.correlationKey());
    }
    body.set("variables", FlowableVariables.encode(message.variables()));
    try {
      return instanceId(PUBLISH, http.post(PUBLISH, http.url(Api.PROCESS, "runtime", "process-instances"), body));
    } catch (PolyworkerException e) {
      if (e.status() == 400 && e.detail().contains("no subscription to message")) {
        throw nothingWaits(message, e);
      }
      throw e;
    }
  }

  private @Nullable String deliverToWaitingExecution(PublishMessage message) {
    ObjectNode query = NODES.objectNode()
        .put("messageEventSubscriptionName", message.name())
        .put("size", 1);
    if (message.correlationVariable() != null) {
      query.putArray("processInstanceVariables").addObject()
          .put("name", message.correlationVariable())
          .put("value", message.correlationKey())
          .put("operation", "equals")
          .put("type", "string");
    } else {
      // The waiting execution is a child of the instance and does not carry the business key itself.
      String instance = instanceWithBusinessKey(message.correlationKey());
      if (instance == null) {
        return null;
      }
      query.put("processInstanceId", instance);
    }
    JsonNode page = http.post(PUBLISH, http.url(Api.PROCESS, "query", "executions"), query);
    JsonNode data = dataArray(PUBLISH, page, "execution");
    if (data.isEmpty()) {
      return null;
    }
    String execution = text(data.get(0), "id");
    String instance = text(data.get(0), "processInstanceId");
    if (execution == null || instance == null) {
      throw new MalformedAnswerException(FlowableEngine.ID, PUBLISH, 200, data.get(0).toString(),
          "a waiting execution lacks 'id' or 'processInstanceId'", null);
    }
    ObjectNode action = NODES.objectNode()
        .put("action", "messageEventReceived")
        .put("messageName", message.name());
    action.set("variables", FlowableVariables.encode(message.variables()));
    try {
      http.put(PUBLISH, http.url(Api.PROCESS, "runtime", "executions", execution), action);
    } catch (NotFoundException e) {
      throw nothingWaits(message, e);
    } catch (PolyworkerException e) {
      // Another publisher took the subscription between the query and now.
      if (e.detail().contains("does not have a subscription to a message event")) {
        throw nothingWaits(message, e);
      }
      throw e;
    }
    return instance;
  }

  private @Nullable String instanceWithBusinessKey(String businessKey) {
    JsonNode page = http.post(PUBLISH, http.url(Api.PROCESS, "query", "process-instances"),
        NODES.objectNode().put("processBusinessKey", businessKey).put("size", 100));
    JsonNode data = dataArray(PUBLISH, page, "process-instance");
    return data.isEmpty() ? null : text(data.get(0), "id");
  }

  private static NotFoundException nothingWaits(PublishMessage message, PolyworkerException cause) {
    return new NotFoundException(FlowableEngine.ID, PUBLISH, cause.status(), cause.answerExcerpt(),
        "no subscription waits for message '" + message.name() + "' with correlation key '"
            + message.correlationKey() + "'", cause);
  }

  // ---------------------------------------------------------------- cancel

  @Override
  public void cancelProcessInstance(String processInstanceId) {
    if (processInstanceId == null || processInstanceId.isBlank()) {
      throw new IllegalArgumentException("processInstanceId is blank");
    }
    http.delete("cancelProcessInstance", http.url(Api.PROCESS, "runtime", "process-instances",
        processInstanceId).newBuilder().addQueryParameter("deleteReason", "cancelled").build());
  }

  /** Stops background message retries. */
  void close() {
    messages.close();
  }

  /**
   * The {@code data} array of a Flowable query answer (a page of rows).
   *
   * @param query what was queried, for the message, such as {@code execution}
   * @throws MalformedAnswerException when the answer has no {@code data} array
   */
  private static JsonNode dataArray(String operation, @Nullable JsonNode page, String query) {
    JsonNode data = page == null ? null : page.get("data");
    if (data == null || !data.isArray()) {
      throw new MalformedAnswerException(FlowableEngine.ID, operation, 200, String.valueOf(page),
          "the " + query + " query answer has no 'data' array", null);
    }
    return data;
  }

  private static @Nullable String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || !v.isTextual() || v.asText().isEmpty() ? null : v.asText();
  }

  @Override
  public String toString() {
    return "FlowableProcessClient[" + http + "]";
  }
}
