package io.polyworker.units;

import io.polyworker.BpmnError;
import io.polyworker.Job;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.PolyworkerException;
import io.polyworker.units.internal.AllowList;
import io.polyworker.units.internal.HttpExchange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Calls an HTTP API with values from the process: a {@link JobHandler} registered for a topic of
 * your choice. The operator decides what it may reach ({@link Builder#allow(String)}: URL prefixes;
 * without one the unit refuses to be built) and which credentials it sends
 * ({@link Builder#header(String, String)}); process variables decide only what to call within that.
 *
 * <table>
 *   <caption>Variables read (names overridable with {@link Builder#variable(Input, String)})</caption>
 *   <tr><th>input</th><th>default name</th><th>value</th><th>default</th></tr>
 *   <tr><td>{@link Input#METHOD}</td><td>{@code http_method}</td><td>GET, POST, PUT, PATCH, DELETE or HEAD</td><td>GET</td></tr>
 *   <tr><td>{@link Input#URL}</td><td>{@code http_url}</td><td>absolute http(s) URL</td><td>required</td></tr>
 *   <tr><td>{@link Input#QUERY}</td><td>{@code http_query}</td><td>map of query parameters (values as text; a list repeats the parameter)</td><td>none</td></tr>
 *   <tr><td>{@link Input#HEADERS}</td><td>{@code http_headers}</td><td>map of request headers; never credentials
 *       (Authorization, Proxy-Authorization, Cookie and the unit's own headers are refused)</td><td>none</td></tr>
 *   <tr><td>{@link Input#BODY}</td><td>{@code http_body}</td><td>any JSON value, sent as {@code application/json}</td><td>none</td></tr>
 *   <tr><td>{@link Input#TIMEOUT}</td><td>{@code http_timeout}</td><td>ISO-8601 duration ({@code PT5S}) or milliseconds, at most the unit's timeout</td><td>the unit's timeout</td></tr>
 *   <tr><td>{@link Input#SUCCESS}</td><td>{@code http_success}</td><td>list of statuses that count as success</td><td>200–299</td></tr>
 *   <tr><td>{@link Input#RESULT}</td><td>{@code http_result}</td><td>name of the variable the response is written to</td><td>{@code http_response}</td></tr>
 * </table>
 *
 * <p><b>Result.</b> The job completes with one variable holding {@code status}, {@code headers}
 * (the {@link Builder#responseHeaders(String...) configured subset}, lower-case names) and
 * {@code body} (parsed JSON when the content type is JSON, text otherwise, absent when empty).
 *
 * <p><b>Outcomes.</b>
 * <ul>
 *   <li>a success status: complete;</li>
 *   <li>another 4xx: BPMN error {@code HTTP_<status>} (e.g. {@code HTTP_404}) with the response
 *       variable, so that the model can branch;</li>
 *   <li>a 5xx, a timeout or a connection error: an exception, i.e. a failure with the subscription's
 *       retries and backoff;</li>
 *   <li>refused without a call, or after it, with no retries left (an incident: retrying cannot
 *       help): a URL outside the allow-list, a redirect leading outside it, credentials in the
 *       variables, a malformed input, a response body over {@link Builder#maxResponseBytes(long)}.</li>
 * </ul>
 * Redirects are followed (at most {@link Builder#maxRedirects(int)}) only while they stay on the
 * allow-list. Nothing the unit logs or reports holds a header value, a body, or a URL's path and query.
 *
 * <p>Thread-safe; one unit serves any number of jobs at once.
 */
public final class HttpCallUnit implements JobHandler {

  /** The inputs a job gives through its variables. */
  public enum Input {
    METHOD("http_method"), URL("http_url"), QUERY("http_query"), HEADERS("http_headers"), BODY("http_body"),
    TIMEOUT("http_timeout"), SUCCESS("http_success"), RESULT("http_result");

    final String defaultName;

    Input(String defaultName) {
      this.defaultName = defaultName;
    }

    /** The variable name used unless the registration names another. */
    public String defaultName() {
      return defaultName;
    }
  }

  /** Default overall timeout of one call. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  /** Default largest response body read. */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;
  /** Default most redirects followed. */
  public static final int DEFAULT_MAX_REDIRECTS = 5;
  /** Default name of the result variable. */
  public static final String DEFAULT_RESULT_VARIABLE = "http_response";

  private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "proxy-authorization", "cookie");

  private final HttpExchange exchange;
  private final Map<Input, String> names;
  private final Map<String, String> fixedHeaders;
  private final Duration timeout;

  private HttpCallUnit(Builder b) {
    this.names = new EnumMap<>(b.names);
    this.fixedHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    this.fixedHeaders.putAll(b.headers);
    this.timeout = b.timeout;
    OkHttpClient client = (b.client == null ? new OkHttpClient() : b.client).newBuilder()
        .followRedirects(false).followSslRedirects(false)
        .callTimeout(b.timeout.toMillis(), TimeUnit.MILLISECONDS).build();
    this.exchange = new HttpExchange(client, new AllowList(b.allowed), b.maxResponseBytes, b.maxRedirects,
        b.responseHeaders);
  }

  /** A builder; {@link Builder#allow(String)} at least once is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public JobResult handle(Job job) throws Exception {
    HttpExchange.Request request;
    try {
      request = request(job);
    } catch (IllegalArgumentException refused) {
      return refuse(refused.getMessage());
    }
    Set<Integer> success;
    try {
      success = successStatuses(job);
    } catch (RuntimeException malformed) {
      return refuse("variable " + names.get(Input.SUCCESS) + " is not a status or a list of statuses");
    }
    HttpExchange.Response response;
    try {
      response = exchange.call(request);
    } catch (HttpExchange.Refused refused) {
      return refuse(refused.getMessage());
    }
    String resultName = name(job, Input.RESULT, DEFAULT_RESULT_VARIABLE);
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    result.put(resultName, response.asVariable());
    int status = response.status();
    if (success.contains(status)) {
      return JobResult.complete(result);
    }
    String what = "HTTP " + status + " from " + request.host();
    if (status >= 400 && status < 500) {
      throw new BpmnError("HTTP_" + status, what, result);
    }
    throw new PolyworkerException(what + (status >= 500 ? "" : ", which is not a success status for this call"));
  }

  private static JobResult refuse(String reason) {
    return JobResult.fail(reason, null, 0, Duration.ZERO);
  }

  private HttpExchange.Request request(Job job) {
    String method = text(job, Input.METHOD);
    method = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
    if (!List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD").contains(method)) {
      throw new IllegalArgumentException(names.get(Input.METHOD) + " is not an HTTP method this unit sends");
    }
    String url = text(job, Input.URL);
    if (url == null) {
      throw new IllegalArgumentException("variable " + names.get(Input.URL) + " is missing: the URL to call");
    }
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    Object given = value(job, Input.HEADERS);
    if (given instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String header = String.valueOf(e.getKey());
        if (CREDENTIAL_HEADERS.contains(header.toLowerCase(Locale.ROOT)) || fixedHeaders.containsKey(header)) {
          throw new IllegalArgumentException("header " + header + " may not come from process variables: "
              + "credentials and the unit's own headers are configured on the unit");
        }
        headers.put(header, String.valueOf(e.getValue()));
      }
    } else if (given != null) {
      throw new IllegalArgumentException("variable " + names.get(Input.HEADERS) + " is not a map of headers");
    }
    headers.putAll(fixedHeaders);
    Object query = value(job, Input.QUERY);
    if (query != null && !(query instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("variable " + names.get(Input.QUERY) + " is not a map of parameters");
    }
    Object body = value(job, Input.BODY);
    if (body != null && (method.equals("GET") || method.equals("HEAD"))) {
      throw new IllegalArgumentException(method + " carries no body, but " + names.get(Input.BODY) + " is set");
    }
    return HttpExchange.Request.of(method, url, (Map<?, ?>) query, headers, body, callTimeout(job));
  }

  private Duration callTimeout(Job job) {
    Object v = value(job, Input.TIMEOUT);
    if (v == null) {
      return timeout;
    }
    Duration d;
    try {
      d = v instanceof Number n ? Duration.ofMillis(n.longValue()) : Duration.parse(v.toString());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("variable " + names.get(Input.TIMEOUT)
          + " is neither an ISO-8601 duration nor milliseconds");
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("variable " + names.get(Input.TIMEOUT) + " is not positive");
    }
    return d.compareTo(timeout) > 0 ? timeout : d;
  }

  private Set<Integer> successStatuses(Job job) {
    Object v = value(job, Input.SUCCESS);
    if (v == null) {
      return HttpExchange.TWO_HUNDREDS;
    }
    if (!(v instanceof List<?> list)) {
      return Set.of(v instanceof Number n ? n.intValue() : Integer.parseInt(v.toString().strip()));
    }
    Set<Integer> statuses = new java.util.HashSet<>();
    for (Object o : list) {
      statuses.add(o instanceof Number n ? n.intValue() : Integer.parseInt(o.toString().strip()));
    }
    return statuses;
  }

  private String name(Job job, Input input, String fallback) {
    String v = text(job, input);
    return v == null || v.isBlank() ? fallback : v;
  }

  private @Nullable Object value(Job job, Input input) {
    String name = names.get(input);
    return job.variables().contains(name) ? job.variables().get(name) : null;
  }

  private @Nullable String text(Job job, Input input) {
    Object v = value(job, input);
    return v == null ? null : v.toString().strip();
  }

  /** Shows the allow-list and the header names, never their values. */
  @Override
  public String toString() {
    return "HttpCallUnit{" + exchange.allowList() + ", headers=" + fixedHeaders.keySet() + ", timeout=" + timeout
        + "}";
  }

  /** Builds an {@link HttpCallUnit}. Not thread-safe. */
  public static final class Builder {
    private final List<String> allowed = new ArrayList<>();
    private final Map<Input, String> names = new EnumMap<>(Input.class);
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final List<String> responseHeaders = new ArrayList<>(List.of("content-type", "location", "etag"));
    private Duration timeout = DEFAULT_TIMEOUT;
    private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private int maxRedirects = DEFAULT_MAX_REDIRECTS;
    private @Nullable OkHttpClient client;

    private Builder() {
      for (Input i : Input.values()) {
        names.put(i, i.defaultName);
      }
    }

    /**
     * Lets the unit call URLs starting with this prefix: scheme, host, optional port and optional
     * path, such as {@code https://api.example.com/orders/}. The path matches whole segments
     * ({@code /orders} allows {@code /orders/1}, not {@code /orders-archive}).
     */
    public Builder allow(String urlPrefix) {
      AllowList.check(urlPrefix);
      allowed.add(urlPrefix);
      return this;
    }

    /** A header sent with every call (credentials go here: never in variables). Values are never logged. */
    public Builder header(String name, String value) {
      if (name == null || name.isBlank() || value == null) {
        throw new IllegalArgumentException("header name is blank or value is null");
      }
      headers.put(name, value);
      return this;
    }

    /** The variable name of an input; see the class table for the defaults. */
    public Builder variable(Input input, String name) {
      Objects.requireNonNull(input, "input");
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("variable name is blank");
      }
      names.put(input, name);
      return this;
    }

    /** Overall timeout of one call, redirects included, and the most a job may ask for. Default {@link #DEFAULT_TIMEOUT}. */
    public Builder timeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /** Largest response body read; a longer one is refused. Default {@link #DEFAULT_MAX_RESPONSE_BYTES} (1 MiB). */
    public Builder maxResponseBytes(long max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxResponseBytes must be positive");
      }
      this.maxResponseBytes = max;
      return this;
    }

    /** Most redirects followed (each must stay on the allow-list); 0 follows none. Default {@link #DEFAULT_MAX_REDIRECTS}. */
    public Builder maxRedirects(int max) {
      if (max < 0) {
        throw new IllegalArgumentException("maxRedirects < 0");
      }
      this.maxRedirects = max;
      return this;
    }

    /** The response headers copied into the result. Default Content-Type, Location, ETag. */
    public Builder responseHeaders(String... names) {
      responseHeaders.clear();
      for (String n : names) {
        responseHeaders.add(n.toLowerCase(Locale.ROOT));
      }
      return this;
    }

    /** An OkHttp client to share connections and settings with (proxy, TLS); its redirects are turned off. */
    public Builder client(OkHttpClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Builds the unit.
     *
     * @throws IllegalStateException without an allow-list: a unit that could call anything is refused
     */
    public HttpCallUnit build() {
      if (allowed.isEmpty()) {
        throw new IllegalStateException("HttpCallUnit has no allow-list: call allow(urlPrefix) for every API it "
            + "may call; a unit whose process variables could send it anywhere is refused");
      }
      return new HttpCallUnit(this);
    }
  }
}
