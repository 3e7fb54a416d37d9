package io.polyworker.reliability.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Plain JSON over HTTP with the JDK client, for asking an engine's own query APIs what really
 * happened, independently of the Polyworker client under test.
 */
public final class RestJson {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

  private RestJson() {}

  /** GET, expecting 200 and JSON. */
  public static JsonNode get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET(), 200);
  }

  /** POST JSON, expecting {@code status}; returns the body (missing node when empty). */
  public static JsonNode post(String url, Object body, int status) {
    try {
      return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))), status);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** DELETE, expecting {@code status}. */
  public static void delete(String url, int status) {
    send(HttpRequest.newBuilder(URI.create(url)).DELETE(), status);
  }

  private static JsonNode send(HttpRequest.Builder request, int expected) {
    HttpRequest built = request.timeout(Duration.ofSeconds(60)).build();
    try {
      HttpResponse<String> r = HTTP.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() != expected) {
        throw new IllegalStateException(built.method() + " " + built.uri() + " answered " + r.statusCode()
            + " instead of " + expected + ": " + r.body());
      }
      return r.body().isBlank() ? JSON.missingNode() : JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(built.method() + " " + built.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
