package io.polyworker.flowable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.MalformedAnswerException;
import io.polyworker.ProcessClient;
import io.polyworker.flowable.internal.FlowableHttp.Api;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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
public final class FlowableProcessClient implements ProcessClient {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final MediaType ZIP = MediaType.get("application/zip");
  private static final int MAX_DEPLOYMENT_NAME = 200;

  private final FlowableHttp http;

  public FlowableProcessClient(FlowableHttp http) {
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
      throw new MalformedAnswerException(FlowableHttp.ENGINE, "deploy", 201,
          deployment == null ? null : deployment.toString(), "the answer has no deployment 'id'", null);
    }
    JsonNode page = http.get("deploy", http.url(Api.PROCESS, "repository", "process-definitions")
        .newBuilder()
        .addQueryParameter("deploymentId", deploymentId)
        .addQueryParameter("size", "1000")
        .build());
    JsonNode data = page.get("data");
    if (data == null || !data.isArray()) {
      throw new MalformedAnswerException(FlowableHttp.ENGINE, "deploy", 200, page.toString(),
          "the process-definition query answer has no 'data' array", null);
    }
    List<DeployedDefinition> result = new ArrayList<>();
    for (JsonNode d : data) {
      String key = text(d, "key");
      String id = text(d, "id");
      JsonNode version = d.get("version");
      String resource = resourceName(text(d, "resource"));
      if (key == null || id == null || version == null || !version.canConvertToInt()
          || resource == null) {
        throw new MalformedAnswerException(FlowableHttp.ENGINE, "deploy", 200, d.toString(),
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
  public String startProcess(String processKey, Map<String, ? extends @Nullable Object> variables,
      @Nullable String businessKey) {
    if (processKey == null || processKey.isBlank()) {
      throw new IllegalArgumentException("processKey is blank");
    }
    ObjectNode body = NODES.objectNode().put("processDefinitionKey", processKey);
    if (businessKey != null) {
      body.put("businessKey", businessKey);
    }
    body.set("variables", FlowableVariables.encode(variables));
    body.put("returnVariables", false);
    JsonNode answer = http.post("startProcess",
        http.url(Api.PROCESS, "runtime", "process-instances"), body);
    String id = answer == null ? null : text(answer, "id");
    if (id == null) {
      throw new MalformedAnswerException(FlowableHttp.ENGINE, "startProcess", 201,
          answer == null ? null : answer.toString(), "the answer has no process instance 'id'", null);
    }
    return id;
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
