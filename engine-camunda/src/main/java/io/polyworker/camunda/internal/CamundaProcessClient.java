package io.polyworker.camunda.internal;

import static io.polyworker.camunda.internal.CamundaHttp.ENGINE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.MalformedAnswerException;
import io.polyworker.ProcessClient;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.jspecify.annotations.Nullable;

/** Deployments and process instances through Camunda's REST API. */
public final class CamundaProcessClient implements ProcessClient {
  private static final MediaType XML = MediaType.get("application/octet-stream");
  private final CamundaHttp http;

  public CamundaProcessClient(CamundaHttp http) {
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
    JsonNode answer = http.send("deploy", new Request.Builder()
        .url(http.url("deployment", "create")).post(form.build()).build());
    if (answer == null || !answer.isObject()) {
      throw new MalformedAnswerException(ENGINE, "deploy", 200, String.valueOf(answer),
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
  public String startProcess(String processKey, Map<String, ? extends @Nullable Object> variables,
      @Nullable String businessKey) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("variables", CamundaVariables.encodeAll(variables));
    if (businessKey != null) {
      body.put("businessKey", businessKey);
    }
    JsonNode answer = http.post("startProcess",
        http.url("process-definition", "key", processKey, "start"), body);
    if (answer == null || !answer.hasNonNull("id")) {
      throw new MalformedAnswerException(ENGINE, "startProcess", 200, String.valueOf(answer),
          "the answer has no instance id", null);
    }
    return answer.get("id").asText();
  }
}
