package io.polyworker.camunda.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.NotFoundException;
import io.polyworker.support.internal.HttpSettings;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * REST calls for tests, reusing the module's HTTP client, error mapping and variable decoding:
 * read-only queries, plus raw requests that Polyworker itself would never send.
 */
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

  /** POSTs a raw JSON body as {@code operation}; the answer goes through the module's error mapping. */
  public @Nullable JsonNode post(String operation, String path, JsonNode body) {
    return http.post(operation, http.url(path.split("/")), body);
  }

  /** PUTs a raw JSON body. */
  public @Nullable JsonNode put(String path, JsonNode body) {
    return http.put("query", http.url(path.split("/")), body);
  }
}
