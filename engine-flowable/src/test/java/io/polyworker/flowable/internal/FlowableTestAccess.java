package io.polyworker.flowable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.support.internal.HttpSettings;
import org.jspecify.annotations.Nullable;

/**
 * REST calls for tests through the module's HTTP client and error mapping: raw requests that
 * Polyworker itself would never send.
 */
public final class FlowableTestAccess implements AutoCloseable {
  private final FlowableHttp http;

  /** @param baseUrl the server root, with the APIs at their default paths below it */
  public FlowableTestAccess(String baseUrl) {
    this.http = new FlowableHttp(HttpSettings.builder().baseUrl(baseUrl).build("-"), "/process-api",
        "/external-job-api");
  }

  /** POSTs a raw JSON body below the external job API as {@code operation}. */
  public @Nullable JsonNode postJobApi(String operation, JsonNode body, String... segments) {
    return http.post(operation, http.url(FlowableHttp.Api.JOBS, segments), body);
  }

  @Override
  public void close() {
    http.close();
  }
}
