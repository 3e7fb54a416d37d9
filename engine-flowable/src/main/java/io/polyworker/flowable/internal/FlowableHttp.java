package io.polyworker.flowable.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.AuthenticationException;
import io.polyworker.BackPressureException;
import io.polyworker.EngineUnavailableException;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.JobAlreadyCompletedException;
import io.polyworker.JobLockLostException;
import io.polyworker.MalformedAnswerException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.VariableException;
import io.polyworker.internal.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Credentials;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP conversation with a Flowable server: its process REST API and its external worker job REST
 * API below one server root, auth on every request, timeouts, and the mapping of every failure onto
 * Polyworker's exception hierarchy.
 *
 * <p>Flowable answers errors as {@code {"message": "Not found", "exception": "Could not find ..."}}; the
 * {@code exception} text is the useful part and becomes the exception's detail. Answers are untrusted:
 * parsed as JSON trees only (never bound to types, never Java-deserialized), read up to
 * {@value #MAX_ANSWER_BYTES} bytes, and anything that is not what the contract says becomes a
 * {@link MalformedAnswerException} with an excerpt.
 *
 * <p>Credentials are added per request, not by an interceptor: a failing token supplier then surfaces
 * as an {@link AuthenticationException} of the operation instead of an error on an OkHttp thread.
 */
public final class FlowableHttp implements AutoCloseable {
  /** The engine id. */
  public static final String ENGINE = "flowable";
  static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  /** Bigger answers are refused: a worker must not run out of memory because a server misbehaves. */
  static final long MAX_ANSWER_BYTES = 64L * 1024 * 1024;
  /** Operations on one acquired job: a 404 there means the job is gone, not a wrong URL. */
  private static final Set<String> JOB_OPERATIONS =
      Set.of("complete", "fail", "bpmnError", "terminate", "release");

  /** Which of the server's REST APIs a URL belongs to. */
  public enum Api {
    /** {@code /process-api}: repository, runtime, history, management. */
    PROCESS,
    /** {@code /external-job-api}: acquire, complete, fail, unacquire. */
    JOBS
  }

  private final HttpUrl base;
  private final List<String> processApi;
  private final List<String> jobApi;
  private final OkHttpClient client;
  private final boolean ownClient;
  private final @Nullable String basicHeader;
  private final @Nullable Supplier<String> token;
  private final String authDescription;

  /**
   * @param base server root, such as {@code http://localhost:8080/flowable-rest}
   * @param processApiPath path of the process REST API below the root
   * @param jobApiPath path of the external worker job REST API below the root
   * @param shared an OkHttp client to derive ours from, or null for a client of our own
   */
  public FlowableHttp(HttpUrl base, String processApiPath, String jobApiPath,
      @Nullable OkHttpClient shared, Duration connectTimeout, Duration requestTimeout,
      @Nullable String username, @Nullable String password, @Nullable Supplier<String> token) {
    this.base = base;
    this.processApi = segments(processApiPath);
    this.jobApi = segments(jobApiPath);
    this.ownClient = shared == null;
    OkHttpClient.Builder b;
    if (shared == null) {
      Dispatcher dispatcher = new Dispatcher();
      // One acquire in flight per subscription: OkHttp's default of 5 per host would queue the sixth.
      dispatcher.setMaxRequests(256);
      dispatcher.setMaxRequestsPerHost(256);
      b = new OkHttpClient.Builder().dispatcher(dispatcher);
    } else {
      b = shared.newBuilder();
    }
    this.client = b.connectTimeout(connectTimeout).readTimeout(requestTimeout)
        .writeTimeout(requestTimeout).callTimeout(requestTimeout).build();
    if (username != null && password != null) {
      this.basicHeader = Credentials.basic(username, password, StandardCharsets.UTF_8);
      this.token = null;
      this.authDescription = "basic(" + username + ")";
    } else if (token != null) {
      this.basicHeader = null;
      this.token = token;
      this.authDescription = "bearer";
    } else {
      this.basicHeader = null;
      this.token = null;
      this.authDescription = "none";
    }
  }

  private static List<String> segments(String path) {
    List<String> result = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        result.add(s);
      }
    }
    return result;
  }

  /** The URL of a path below one of the APIs; segments are encoded. */
  public HttpUrl url(Api api, String... segments) {
    HttpUrl.Builder b = base.newBuilder().encodedPath("/").query(null).fragment(null);
    for (String s : base.pathSegments()) {
      if (!s.isEmpty()) {
        b.addPathSegment(s);
      }
    }
    for (String s : api == Api.PROCESS ? processApi : jobApi) {
      b.addPathSegment(s);
    }
    for (String s : segments) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  /** POSTs JSON and returns the answer (null for an empty body, such as 204). */
  public @Nullable JsonNode post(String operation, HttpUrl url, Object body) {
    return execute(operation, request(operation, url).post(json(operation, body)));
  }

  /** POSTs any body (multipart uploads) and returns the answer. */
  public @Nullable JsonNode post(String operation, HttpUrl url, RequestBody body) {
    return execute(operation, request(operation, url).post(body));
  }

  /** PUTs JSON and returns the answer (null for an empty body). */
  public @Nullable JsonNode put(String operation, HttpUrl url, Object body) {
    return execute(operation, request(operation, url).put(json(operation, body)));
  }

  /** DELETEs; returns the answer (null for an empty body). */
  public @Nullable JsonNode delete(String operation, HttpUrl url) {
    return execute(operation, request(operation, url).delete());
  }

  /** GETs JSON; an empty answer is malformed. */
  public JsonNode get(String operation, HttpUrl url) {
    JsonNode node = execute(operation, request(operation, url).get());
    if (node == null) {
      throw new MalformedAnswerException(ENGINE, operation, 200, null,
          "expected a JSON body, got none", null);
    }
    return node;
  }

  /**
   * POSTs JSON asynchronously on OkHttp's dispatcher. The future completes with the answer (null when
   * empty) or a {@link PolyworkerException}; cancelling it cancels the HTTP call.
   */
  public CompletableFuture<@Nullable JsonNode> postAsync(String operation, HttpUrl url, Object body) {
    CompletableFuture<@Nullable JsonNode> future = new CompletableFuture<>();
    Call call;
    try {
      call = client.newCall(request(operation, url).post(json(operation, body)).build());
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
      return future;
    }
    future.whenComplete((r, e) -> {
      if (future.isCancelled()) {
        call.cancel();
      }
    });
    call.enqueue(new Callback() {
      @Override
      public void onFailure(Call c, IOException e) {
        future.completeExceptionally(ioError(operation, e));
      }

      @Override
      public void onResponse(Call c, Response response) {
        try (response) {
          future.complete(read(operation, response));
        } catch (IOException e) {
          future.completeExceptionally(ioError(operation, e));
        } catch (RuntimeException e) {
          future.completeExceptionally(e);
        }
      }
    });
    return future;
  }

  private Request.Builder request(String operation, HttpUrl url) {
    Request.Builder r = new Request.Builder().url(url).header("Accept", "application/json");
    if (basicHeader != null) {
      r.header("Authorization", basicHeader);
    } else if (token != null) {
      r.header("Authorization", "Bearer " + currentToken(operation, token));
    }
    return r;
  }

  private static String currentToken(String operation, Supplier<String> supplier) {
    String value;
    try {
      value = supplier.get();
    } catch (RuntimeException e) {
      // The supplier's own message is left out on purpose: it might quote what it was parsing.
      throw new AuthenticationException(ENGINE, operation, -1, null,
          "the bearer token supplier failed with " + e.getClass().getName(), e);
    }
    if (value == null || value.isBlank()) {
      throw new AuthenticationException(ENGINE, operation, -1, null,
          "the bearer token supplier returned no token", null);
    }
    return value.strip();
  }

  private @Nullable JsonNode execute(String operation, Request.Builder request) {
    Call call = client.newCall(request.build());
    try (Response response = call.execute()) {
      return read(operation, response);
    } catch (IOException e) {
      throw ioError(operation, e);
    }
  }

  private static RequestBody json(String operation, Object body) {
    try {
      return RequestBody.create(Json.MAPPER.writeValueAsBytes(body), JSON);
    } catch (JsonProcessingException e) {
      throw new VariableException("the " + operation + " request cannot be written as JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  private EngineUnavailableException ioError(String operation, IOException e) {
    String what = e instanceof InterruptedIOException && "timeout".equals(e.getMessage())
        ? "no answer from " + base + " within the request timeout"
        : "no answer from " + base + ": " + e;
    return new EngineUnavailableException(ENGINE, operation, -1, null, what, e);
  }

  private @Nullable JsonNode read(String operation, Response response) throws IOException {
    int status = response.code();
    String text = text(operation, status, response.body());
    if (status >= 200 && status < 300) {
      if (text.isBlank()) {
        return null;
      }
      try {
        return Json.MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        throw new MalformedAnswerException(ENGINE, operation, status, text,
            "the answer is not valid JSON: " + e.getOriginalMessage(), e);
      }
    }
    throw error(operation, status, text);
  }

  private static String text(String operation, int status, @Nullable ResponseBody body)
      throws IOException {
    if (body == null) {
      return "";
    }
    BufferedSource source = body.source();
    if (source.request(MAX_ANSWER_BYTES + 1)) {
      Buffer start = new Buffer();
      source.getBuffer().copyTo(start, 0, Math.min(PolyworkerException.MAX_EXCERPT, source.getBuffer().size()));
      throw new MalformedAnswerException(ENGINE, operation, status, start.readUtf8(),
          "the answer is larger than " + MAX_ANSWER_BYTES + " bytes", null);
    }
    return source.getBuffer().readString(StandardCharsets.UTF_8);
  }

  /**
   * Maps a non-2xx answer onto the exception hierarchy. Flowable's own mapping: 400 bad request
   * (including a result of the wrong kind for the job's scope), 401 missing credentials, 403 "does not
   * hold a lock" or not allowed, 404 not found, 409 conflict, 500 anything else (including BPMN parse
   * errors on deploy).
   */
  PolyworkerException error(String operation, int status, String text) {
    String message = text.isBlank() ? "HTTP " + status : text.strip();
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      if (node != null && node.isObject()) {
        JsonNode exception = node.get("exception");
        JsonNode summary = node.get("message");
        if (exception != null && exception.isTextual() && !exception.asText().isBlank()) {
          message = exception.asText();
        } else if (summary != null && summary.isTextual() && !summary.asText().isBlank()) {
          message = summary.asText();
        }
      }
    } catch (JsonProcessingException e) {
      // not JSON (a proxy's HTML page, say): keep the raw text
    }
    String lower = message.toLowerCase(Locale.ROOT);
    boolean jobOperation = JOB_OPERATIONS.contains(operation);
    if (status == 401) {
      return new AuthenticationException(ENGINE, operation, status, text,
          "the server rejected the credentials: " + message, null);
    }
    if (status == 403) {
      if (lower.contains("does not hold a lock")) {
        return new JobLockLostException(ENGINE, operation, status, text, message
            + " (the lock expired or the job was released, and may now be held by another worker)", null);
      }
      return new AuthenticationException(ENGINE, operation, status, text,
          "not allowed: " + message, null);
    }
    if (status == 404) {
      if (jobOperation) {
        return new JobAlreadyCompletedException(ENGINE, operation, status, text, message
            + " (the job no longer exists: it was completed, moved to the dead-letter jobs, or its"
            + " instance ended)", null);
      }
      return new NotFoundException(ENGINE, operation, status, text, message, null);
    }
    if (status == 429) {
      return new BackPressureException(ENGINE, operation, status, text, message, null);
    }
    if (status == 409 && jobOperation) {
      // Concurrent modification of the job (optimistic locking): sending the same result again may work.
      return new EngineUnavailableException(ENGINE, operation, status, text, message, null);
    }
    if ("deploy".equals(operation) && (status == 400 || (status >= 500 && isParseError(lower)))) {
      return new InvalidDefinitionException(ENGINE, operation, status, text, message, null);
    }
    if (status >= 500) {
      return new EngineUnavailableException(ENGINE, operation, status, text, message, null);
    }
    if (status == 400) {
      if (lower.contains("can only terminate cmmn")) {
        return new PolyworkerException(ENGINE, operation, status, text,
            "terminate applies only to CMMN jobs, and this is a BPMN job: complete it, fail it or"
                + " raise a BPMN error instead (" + message + ")", null);
      }
      if (lower.contains("bpmn external job with a bpmn error")) {
        return new PolyworkerException(ENGINE, operation, status, text,
            "a BPMN error applies only to BPMN jobs, and this is a CMMN job: complete, fail or"
                + " terminate it instead (" + message + ")", null);
      }
      if (lower.contains("no process definition found")
          || (lower.contains("process definition with key") && lower.contains("not found"))) {
        return new NotFoundException(ENGINE, operation, status, text, message, null);
      }
      if (lower.startsWith("variable '") || lower.contains("unsupported type")) {
        return new VariableException(ENGINE, operation, status, text, message, null);
      }
    }
    return new PolyworkerException(ENGINE, operation, status, text, message, null);
  }

  /** Flowable answers 500 for definitions it cannot parse or validate. */
  private static boolean isParseError(String lower) {
    return lower.contains("errors while parsing") || lower.contains("xmlstreamexception")
        || lower.contains("saxparseexception") || lower.contains("could not parse")
        || lower.contains("xml document") || lower.contains("validation");
  }

  @Override
  public void close() {
    if (ownClient) {
      client.dispatcher().cancelAll();
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  @Override
  public String toString() {
    return base + ", auth=" + authDescription;
  }
}
