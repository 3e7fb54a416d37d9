package io.polyworker.flowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Plain HTTP for test code that must look at the server without going through the client under test:
 * history queries, the test server's CMMN API.
 */
final class TestHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final OkHttpClient HTTP = new OkHttpClient.Builder()
      .callTimeout(Duration.ofSeconds(30))
      .build();

  private TestHttp() {}

  /** The answer's status and parsed body (null when empty). */
  record Answer(int status, @Nullable JsonNode body, String text) {}

  static Answer get(String url) {
    return send(new Request.Builder().url(url).get().build());
  }

  static Answer postJson(String url, String json) {
    return send(new Request.Builder().url(url)
        .post(RequestBody.create(json, MediaType.get("application/json"))).build());
  }

  static Answer postXml(String url, String xml) {
    return send(new Request.Builder().url(url)
        .post(RequestBody.create(xml, MediaType.get("application/xml"))).build());
  }

  private static Answer send(Request request) {
    try (Response response = HTTP.newCall(request).execute()) {
      String text = response.body() == null ? "" : response.body().string();
      JsonNode body = null;
      if (!text.isBlank()) {
        try {
          body = JSON.readTree(text);
        } catch (IOException e) {
          body = null;
        }
      }
      return new Answer(response.code(), body, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
