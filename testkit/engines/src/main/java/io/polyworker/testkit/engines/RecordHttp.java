package io.polyworker.testkit.engines;

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
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Plain GETs of JSON with the JDK client for the engines' record views: they read what an engine
 * really recorded, independently of any Polyworker client.
 */
final class RecordHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

  private RecordHttp() {}

  /** GET, expecting 200 and JSON. */
  static JsonNode get(String url) {
    JsonNode body = getOrNull(url);
    if (body == null) {
      throw new IllegalStateException("GET " + url + " answered 404 instead of 200");
    }
    return body;
  }

  /** GET, expecting 200 and JSON, or null on 404. */
  static JsonNode getOrNull(String url) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build();
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() == 404) {
        return null;
      }
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + url + " answered " + r.statusCode() + " instead of 200: " + r.body());
      }
      return r.body().isBlank() ? JSON.missingNode() : JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** GET, expecting 200, handing each line of the body to {@code lines} as it arrives. */
  static void getLines(String url, Consumer<String> lines) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build();
    try {
      HttpResponse<Stream<String>> r = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
      try (Stream<String> body = r.body()) {
        if (r.statusCode() != 200) {
          throw new IllegalStateException("GET " + url + " answered " + r.statusCode() + " instead of 200");
        }
        body.forEach(lines);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A JSON text parsed; {@code what} names it in the error. */
  static JsonNode parse(String text, String what) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(what + " is not JSON: " + text, e);
    }
  }
}
