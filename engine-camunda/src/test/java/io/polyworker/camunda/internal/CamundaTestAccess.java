package io.polyworker.camunda.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.NotFoundException;
import io.polyworker.http.internal.HttpSettings;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/** Read-only REST queries for tests, reusing the module's HTTP client and variable decoding. */
public final class CamundaTestAccess {
  private final CamundaHttp http;

  public CamundaTestAccess(String restUrl) {
    this.http = new CamundaHttp(HttpSettings.builder().baseUrl(restUrl).build(restUrl));
  }

  public @Nullable JsonNode getOrNull(String... path) {
    try {
      return http.get("query", http.url(String.join("/", path).split("/")));
    } catch (NotFoundException e) {
      return null;
    }
  }

  public JsonNode query(String path, String param, String value) {
    HttpUrl url = http.urlBuilder(path.split("/")).addQueryParameter(param, value)
        .addQueryParameter("deserializeValues", "false").build();
    return http.get("query", url);
  }

  public @Nullable Object decode(JsonNode typedVariable) {
    return CamundaVariables.decode("query", typedVariable.path("name").asText(), typedVariable);
  }
}
