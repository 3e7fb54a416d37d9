package io.polyworker.units.internal;

import io.polyworker.PolyworkerException;
import io.polyworker.internal.Json;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP call of the HTTP unit: redirects followed by hand, each hop checked against the allow-list,
 * the response body read up to a limit and parsed as JSON when it says it is JSON. Thread-safe.
 */
public final class HttpExchange {

  /** 200–299. */
  public static final Set<Integer> TWO_HUNDREDS = IntStream.range(200, 300).boxed().collect(Collectors.toUnmodifiableSet());

  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

  /** A call the unit will not make or whose answer it will not take; retrying cannot change that. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * What to send.
   *
   * @param method the HTTP method
   * @param url the URL, query included
   * @param headers request headers
   * @param body the JSON body, or null
   * @param timeout the overall timeout of this call
   */
  public record Request(String method, HttpUrl url, Map<String, String> headers, @Nullable Object body,
      Duration timeout) {

    /**
     * A request from the job's inputs.
     *
     * @throws IllegalArgumentException when the URL is not an absolute http(s) URL or carries user info
     */
    public static Request of(String method, String url, @Nullable Map<?, ?> query, Map<String, String> headers,
        @Nullable Object body, Duration timeout) {
      HttpUrl parsed = HttpUrl.parse(url);
      if (parsed == null) {
        throw new IllegalArgumentException("the URL to call is not an absolute http(s) URL");
      }
      if (!parsed.encodedUsername().isEmpty() || !parsed.encodedPassword().isEmpty()) {
        throw new IllegalArgumentException("the URL to call carries user info: credentials are configured on the "
            + "unit, never taken from process variables");
      }
      if (query != null) {
        HttpUrl.Builder b = parsed.newBuilder();
        query.forEach((k, v) -> {
          for (Object each : v instanceof List<?> list ? list : List.of(String.valueOf(v))) {
            b.addQueryParameter(String.valueOf(k), String.valueOf(each));
          }
        });
        parsed = b.build();
      }
      return new Request(method, parsed, headers, body, timeout);
    }

    /** The host, the only part of the URL messages name. */
    public String host() {
      return url.host();
    }
  }

  /**
   * What came back.
   *
   * @param status the HTTP status
   * @param headers the configured subset of the response headers, lower-case names
   * @param body parsed JSON, text, or null when empty
   */
  public record Response(int status, Map<String, String> headers, @Nullable Object body) {
    /** The result variable's value: {@code status}, {@code headers}, {@code body} (absent when empty). */
    public Map<String, @Nullable Object> asVariable() {
      Map<String, @Nullable Object> m = new LinkedHashMap<>();
      m.put("status", status);
      m.put("headers", headers);
      if (body != null) {
        m.put("body", body);
      }
      return m;
    }
  }

  private final OkHttpClient client;
  private final AllowList allowList;
  private final long maxResponseBytes;
  private final int maxRedirects;
  private final List<String> responseHeaders;

  public HttpExchange(OkHttpClient client, AllowList allowList, long maxResponseBytes, int maxRedirects,
      List<String> responseHeaders) {
    this.client = client;
    this.allowList = allowList;
    this.maxResponseBytes = maxResponseBytes;
    this.maxRedirects = maxRedirects;
    this.responseHeaders = List.copyOf(responseHeaders);
  }

  public AllowList allowList() {
    return allowList;
  }

  /**
   * Makes the call.
   *
   * @throws Refused when a hop leaves the allow-list, there are too many redirects, or the body is too large
   * @throws PolyworkerException on a timeout or connection error (the job is retried)
   */
  public Response call(Request r) throws Refused {
    OkHttpClient c = client.callTimeoutMillis() == r.timeout().toMillis() ? client
        : client.newBuilder().callTimeout(r.timeout().toMillis(), TimeUnit.MILLISECONDS).build();
    HttpUrl url = r.url();
    String method = r.method();
    Object body = r.body();
    Headers.Builder headers = new Headers.Builder();
    try {
      r.headers().forEach(headers::add);
    } catch (IllegalArgumentException e) {
      throw new Refused("a request header is not valid HTTP (a line break or a control character): refused");
    }
    for (int hop = 0; ; hop++) {
      if (!allowList.allows(url)) {
        throw new Refused(hop == 0 ? "the host " + url.host() + " (with this scheme, port and path) is not on the "
            + "unit's allow-list: refused" : "a redirect to " + url.host() + " leads outside the unit's allow-list: refused");
      }
      RequestBody content = body != null ? RequestBody.create(json(body), JSON)
          : List.of("POST", "PUT", "PATCH").contains(method) ? RequestBody.create(new byte[0], null) : null;
      okhttp3.Request request = new okhttp3.Request.Builder().url(url).headers(headers.build())
          .method(method, content).build();
      try (okhttp3.Response response = c.newCall(request).execute()) {
        String location = response.header("Location");
        if (response.isRedirect() && location != null) {
          if (hop >= maxRedirects) {
            throw new Refused("more than " + maxRedirects + " redirects from " + r.host() + ": refused");
          }
          HttpUrl next = url.resolve(location);
          if (next == null) {
            throw new Refused("a redirect from " + url.host() + " names no http(s) URL: refused");
          }
          if (response.code() == 303 || (response.code() <= 302 && method.equals("POST"))) {
            method = "GET";
            body = null;
          }
          if (!next.host().equals(url.host()) || next.port() != url.port() || !next.scheme().equals(url.scheme())) {
            headers.removeAll("Authorization"); // credentials stay with the origin they were configured for
          }
          url = next;
          continue;
        }
        return read(response, method);
      } catch (IOException e) {
        throw new PolyworkerException("HTTP " + method + " to " + url.host() + " failed: "
            + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
      }
    }
  }

  private static byte[] json(Object body) {
    try {
      return Json.MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("the body cannot be written as JSON", e);
    }
  }

  private Response read(okhttp3.Response response, String method) throws IOException, Refused {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : responseHeaders) {
      String v = response.header(name);
      if (v != null) {
        headers.put(name, v);
      }
    }
    ResponseBody body = response.body();
    if (body == null || method.equals("HEAD")) {
      return new Response(response.code(), headers, null);
    }
    if (body.contentLength() > maxResponseBytes) {
      throw new Refused("the response body of " + body.contentLength() + " bytes is over the unit's limit of "
          + maxResponseBytes + ": refused");
    }
    BufferedSource source = body.source();
    if (source.request(maxResponseBytes + 1)) {
      throw new Refused("the response body is over the unit's limit of " + maxResponseBytes + " bytes: refused");
    }
    byte[] bytes = source.getBuffer().readByteArray();
    if (bytes.length == 0) {
      return new Response(response.code(), headers, null);
    }
    MediaType type = body.contentType();
    if (type != null && (type.subtype().equals("json") || type.subtype().endsWith("+json"))) {
      try {
        return new Response(response.code(), headers, Json.MAPPER.readValue(bytes, Object.class));
      } catch (IOException notJson) {
        // Declared JSON but is not: hand it on as text, as it came.
      }
    }
    Charset charset = type == null ? StandardCharsets.UTF_8 : type.charset(StandardCharsets.UTF_8);
    return new Response(response.code(), headers, new String(bytes, charset));
  }
}
