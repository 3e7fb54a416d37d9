package io.polyworker.camunda.internal;

import com.fasterxml.jackson.databind.JsonNode;
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
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.support.internal.InstanceFollower;
import io.polyworker.support.internal.MessageCorrelator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import org.jspecify.annotations.Nullable;

/** Deployments and process instances through Camunda's REST API. */
final class CamundaProcessClient implements ProcessClient {
  private static final MediaType XML = MediaType.get("application/octet-stream");
  private final CamundaHttp http;
  private final MessageCorrelator messages = new MessageCorrelator(CamundaEngine.ID);

  CamundaProcessClient(CamundaHttp http) {
    this.http = http;
  }

  @Override
  public List<DeployedDefinition> deploy(DeploymentResource... resources) {
    if (resources.length == 0) {
      throw new IllegalArgumentException("no resources to deploy");
    }
    MultipartBody.Builder form = new MultipartBody.Builder().setType(MultipartBody.FORM)
        .addFormDataPart("deployment-name", resources[0].name())
        .addFormDataPart("deployment-source", "polyworker")
        .addFormDataPart("enable-duplicate-filtering", "false");
    for (DeploymentResource r : resources) {
      form.addFormDataPart(r.name(), r.name(), RequestBody.create(r.content(), XML));
    }
    JsonNode answer = http.post("deploy", http.url("deployment", "create"), form.build());
    if (answer == null || !answer.isObject()) {
      throw new MalformedAnswerException(CamundaEngine.ID, "deploy", 200, String.valueOf(answer),
          "expected a deployment object", null);
    }
    List<DeployedDefinition> definitions = new ArrayList<>();
    for (String kind : List.of("deployedProcessDefinitions", "deployedCaseDefinitions",
        "deployedDecisionDefinitions")) {
      JsonNode map = answer.get(kind);
      if (map == null || !map.isObject()) {
        continue;
      }
      Iterator<Map.Entry<String, JsonNode>> it = map.fields();
      while (it.hasNext()) {
        JsonNode d = it.next().getValue();
        definitions.add(new DeployedDefinition(d.path("key").asText(), d.path("id").asText(),
            d.path("version").asInt(), d.path("resource").asText()));
      }
    }
    return definitions;
  }


  @Override
  public String startProcess(StartProcess request) {
    return start("startProcess", request);
  }

  private String start(String operation, StartProcess request) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("variables", CamundaVariables.encodeAll(request.variables()));
    if (request.businessKey() != null) {
      body.put("businessKey", request.businessKey());
    }
    HttpUrl url;
    if (request.version() != null) {
      url = http.url("process-definition", definitionId(operation, request), "start");
    } else if (request.tenantId() != null) {
      url = http.url("process-definition", "key", request.processKey(), "tenant-id",
          request.tenantId(), "start");
    } else {
      url = http.url("process-definition", "key", request.processKey(), "start");
    }
    JsonNode answer = http.post(operation, url, body);
    if (answer == null || !answer.hasNonNull("id")) {
      throw new MalformedAnswerException(CamundaEngine.ID, operation, 200, String.valueOf(answer),
          "the answer has no instance id", null);
    }
    return answer.get("id").asText();
  }

  private String definitionId(String operation, StartProcess request) {
    HttpUrl.Builder url = http.urlBuilder("process-definition")
        .addQueryParameter("key", request.processKey())
        .addQueryParameter("version", String.valueOf(request.version()));
    if (request.tenantId() != null) {
      url.addQueryParameter("tenantIdIn", request.tenantId());
    }
    JsonNode list = http.get(operation, url.build());
    if (!list.isArray() || list.isEmpty() || !list.get(0).hasNonNull("id")) {
      throw new NotFoundException(CamundaEngine.ID, operation, 404, list.toString(), "no process '"
          + request.processKey() + "' of version " + request.version()
          + (request.tenantId() == null ? "" : " for tenant " + request.tenantId()), null);
    }
    return list.get(0).get("id").asText();
  }

  @Override
  public ProcessResult startProcessAndAwait(StartProcess request, Duration timeout) {
    String id = start("startProcessAndAwait", request);
    return InstanceFollower.await(CamundaEngine.ID, id, timeout, () -> check(id, request.fetchVariables()));
  }

  private @Nullable ProcessResult check(String id, @Nullable List<String> names) {
    String operation = "startProcessAndAwait";
    JsonNode instance = http.get(operation, http.url("history", "process-instance", id));
    String state = instance.path("state").asText("");
    switch (state) {
      case "COMPLETED":
        return new ProcessResult(id, endVariables(id, names));
      case "EXTERNALLY_TERMINATED":
        throw new ProcessInstanceFailedException(CamundaEngine.ID, id, "was cancelled");
      case "INTERNALLY_TERMINATED":
        throw new ProcessInstanceFailedException(CamundaEngine.ID, id,
            "was terminated by the process itself");
      default:
        JsonNode incidents = http.get(operation,
            http.urlBuilder("incident").addQueryParameter("processInstanceId", id).build());
        if (incidents.isArray() && !incidents.isEmpty()) {
          JsonNode first = incidents.get(0);
          throw new ProcessInstanceFailedException(CamundaEngine.ID, id, "raised an incident ("
              + first.path("incidentType").asText() + " at " + first.path("activityId").asText()
              + "): " + first.path("incidentMessage").asText());
        }
        return null;
    }
  }

  private Map<String, @Nullable Object> endVariables(String id, @Nullable List<String> names) {
    HttpUrl.Builder url = http.urlBuilder("history", "variable-instance")
        .addQueryParameter("processInstanceId", id)
        .addQueryParameter("deserializeValues", "false");
    if (names != null) {
      if (names.isEmpty()) {
        return Map.of();
      }
      url.addQueryParameter("variableNameIn", String.join(",", names));
    }
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    for (JsonNode v : http.get("startProcessAndAwait", url.build())) {
      // Process scope only: task-local variables live in the scope of their activity instance.
      if (id.equals(v.path("activityInstanceId").asText())) {
        result.put(v.path("name").asText(), CamundaVariables.decode("startProcessAndAwait",
            v.path("name").asText(), v));
      }
    }
    return result;
  }

  @Override
  public @Nullable String publishMessage(PublishMessage message) {
    return messages.publish(message, this::correlate);
  }

  private String correlate(PublishMessage message) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("messageName", message.name());
    if (message.correlationVariable() == null) {
      body.put("businessKey", message.correlationKey());
    } else {
      body.putObject("correlationKeys").set(message.correlationVariable(),
          CamundaVariables.encode(message.correlationVariable(), message.correlationKey()));
    }
    body.set("processVariables", CamundaVariables.encodeAll(message.variables()));
    body.put("resultEnabled", true);
    JsonNode answer;
    try {
      answer = http.post("publishMessage", http.url("message"), body);
    } catch (PolyworkerException e) {
      if (e.status() == 400 && e.detail().contains("Cannot correlate message")) {
        throw new NotFoundException(CamundaEngine.ID, "publishMessage", 400, e.answerExcerpt(),
            "no subscription waits for message '" + message.name() + "' with correlation key '"
                + message.correlationKey() + "'", e);
      }
      throw e;
    }
    if (answer == null || !answer.isArray() || answer.isEmpty()) {
      throw new MalformedAnswerException(CamundaEngine.ID, "publishMessage", 200, String.valueOf(answer),
          "expected the correlation result", null);
    }
    JsonNode r = answer.get(0);
    String instance = r.path("processInstance").path("id").asText(null);
    return instance != null ? instance : r.path("execution").path("processInstanceId").asText(null);
  }

  @Override
  public void cancelProcessInstance(String processInstanceId) {
    http.delete("cancelProcessInstance", http.url("process-instance", processInstanceId));
  }

  /** Stops background message retries. */
  void close() {
    messages.close();
  }
}
