package io.polyworker.support.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.AuthenticationException;
import io.polyworker.EngineUnavailableException;
import io.polyworker.MalformedAnswerException;
import io.polyworker.PolyworkerException;
import io.polyworker.ResultRejectedException;
import io.polyworker.VariableException;
import io.polyworker.internal.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
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
 * The HTTP conversation with one engine's REST API, JSON in and out: the OkHttp client, auth on every
 * request, timeouts, and every transport or parsing failure as a {@link PolyworkerException}. What a
 * non-2xx answer means differs per engine, so each engine module subclasses this and implements
 * {@link #error(String, int, String)} with its own mapping.
 *
 * <p>Answers are untrusted: parsed as JSON trees only (never bound to types, never Java-deserialized),
 * read up to {@value #MAX_ANSWER_BYTES} bytes, and anything that is not JSON becomes a
 * {@link MalformedAnswerException} with an excerpt. Credentials come from {@link HttpAuth} per request,
 * so a failing token supplier is an {@link AuthenticationException} of the operation.
 *
 * <p>Without a shared client the conversation owns its client, with a dispatcher of its own whose
 * per-host limit is raised (each subscription keeps a poll in flight; OkHttp's default of 5 per host
 * would queue the sixth), and {@link #close()} shuts it down. A shared client is only derived from and
 * never shut down. Thread-safe.
 */
public abstract class RestConversation implements AutoCloseable {
  /** {@code application/json; charset=utf-8}. */
  public static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  /** Bigger answers are refused: a worker must not run out of memory because a server misbehaves. */
  public static final long MAX_ANSWER_BYTES = 64L * 1024 * 1024;
  private static final int MAX_REQUESTS = 256;
  /** The job operations that carry a result whose content the engine may refuse. */
  private static final Set<String> RESULT_OPERATIONS = Set.of("complete", "fail", "bpmnError", "terminate");
  /** 4xx answers that say nothing about the request's content. */
  private static final Set<Integer> NOT_ABOUT_CONTENT = Set.of(401, 403, 404, 408, 409, 429);

  private final String engine;
  private final HttpUrl base;
  private final HttpAuth auth;
  private final Duration requestTimeout;
  private final OkHttpClient client;
  private final boolean ownClient;

  /**
   * @param engine the engine id, named in every exception
   * @param longPolls true when the server holds requests open (long polling): the socket read timeout
   *     is then off, and each call is bounded by its call timeout alone
   */
  protected RestConversation(String engine, HttpSettings settings, boolean longPolls) {
    this.engine = engine;
    this.base = settings.baseUrl();
    this.auth = settings.auth();
    this.requestTimeout = settings.requestTimeout();
    OkHttpClient shared = settings.sharedClient();
    this.ownClient = shared == null;
    OkHttpClient.Builder b;
    if (shared == null) {
      Dispatcher dispatcher = new Dispatcher();
      dispatcher.setMaxRequests(MAX_REQUESTS);
      dispatcher.setMaxRequestsPerHost(MAX_REQUESTS);
      b = new OkHttpClient.Builder().dispatcher(dispatcher);
    } else {
      b = shared.newBuilder();
    }
    this.client = b.connectTimeout(settings.connectTimeout())
        .readTimeout(longPolls ? Duration.ZERO : requestTimeout)
        .writeTimeout(requestTimeout)
        .callTimeout(requestTimeout)
        .build();
  }

  /** The engine id. */
  public final String engine() {
    return engine;
  }

  /** The configured base URL. */
  protected final HttpUrl base() {
    return base;
  }

  /** Maps a non-2xx answer onto the exception hierarchy; {@code text} is the body, possibly blank. */
  protected abstract PolyworkerException error(String operation, int status, String text);

  /**
   * Maps a non-2xx answer to a request for {@code url}, whose body has the media type
   * {@code mediaType} ({@code text/html}, or null when the server named none). The default is
   * {@link #error(String, int, String)}; an engine overrides it to recognise answers that did not come
   * from its API at all (see {@link #isForeignErrorPage}).
   */
  protected PolyworkerException error(String operation, HttpUrl url, int status,
      @Nullable String mediaType, String text) {
    return error(operation, status, text);
  }

  /**
   * Whether a 404 or 405 answer came from whatever serves the URL rather than from an engine's REST
   * API: a body that is not JSON (a servlet container's or proxy's HTML page), or the error object of
   * a Spring Boot application ({@code timestamp}, {@code status}, {@code error}, {@code path}) that
   * has no such endpoint. Engines answer their own 404s with their own JSON error objects.
   */
  protected static boolean isForeignErrorPage(int status, @Nullable String mediaType, String text) {
    if (status != 404 && status != 405) {
      return false;
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      return true;
    }
    if (node == null || !node.isObject()) {
      return !text.isBlank() || mediaType == null || !mediaType.contains("json");
    }
    return node.has("timestamp") && node.has("error") && node.has("path");
  }

  /** {@code HTTP 404 text/html}, or {@code HTTP 404} without a media type. */
  protected static String describeAnswer(int status, @Nullable String mediaType) {
    return "HTTP " + status + (mediaType == null || mediaType.isBlank() ? "" : " " + mediaType);
  }

  /**
   * Whether an answer may refuse a result's content for good, to be mapped as a
   * {@link ResultRejectedException} (the runtime then fails the job with the reason instead of
   * sending the same result again): a 4xx to a result (complete, fail, bpmnError, terminate) other
   * than 401, 403, 404, 408, 409 and 429, which say nothing about the content. A 5xx never does: the
   * REST engines answer 500 for content they cannot store as for a database that is down. An engine
   * rules out further answers it knows to be passing, and checks its lost-lock answers first.
   */
  protected static boolean mayRefuseResult(String operation, int status) {
    return RESULT_OPERATIONS.contains(operation) && status >= 400 && status < 500
        && !NOT_ABOUT_CONTENT.contains(status);
  }

  /** POSTs JSON and returns the answer (null for an empty body, such as 204). */
  public final @Nullable JsonNode post(String operation, HttpUrl url, Object body) {
    return execute(operation, request(operation, url).post(json(operation, body)), false);
  }

  /** POSTs any body (multipart uploads) and returns the answer (null for an empty body). */
  public final @Nullable JsonNode post(String operation, HttpUrl url, RequestBody body) {
    return execute(operation, request(operation, url).post(body), false);
  }

  /** PUTs JSON and returns the answer (null for an empty body). */
  public final @Nullable JsonNode put(String operation, HttpUrl url, Object body) {
    return execute(operation, request(operation, url).put(json(operation, body)), false);
  }

  /** DELETEs and returns the answer (null for an empty body). */
  public final @Nullable JsonNode delete(String operation, HttpUrl url) {
    return execute(operation, request(operation, url).delete(), false);
  }

  /** GETs JSON; an empty answer is malformed. */
  public final JsonNode get(String operation, HttpUrl url) {
    return Objects.requireNonNull(execute(operation, request(operation, url).get(), true), "answer");
  }

  /** {@link #postAsync(String, HttpUrl, Object, Duration)} without extra time. */
  public final CompletableFuture<@Nullable JsonNode> postAsync(String operation, HttpUrl url, Object body) {
    return postAsync(operation, url, body, Duration.ZERO);
  }

  /**
   * POSTs JSON asynchronously on OkHttp's dispatcher; {@code extraTimeout} is added to the request
   * timeout (the poll time of a long poll). The future completes with the answer (null when empty) or
   * a {@link PolyworkerException}; cancelling it cancels the HTTP call.
   */
  public final CompletableFuture<@Nullable JsonNode> postAsync(String operation, HttpUrl url,
      Object body, Duration extraTimeout) {
    CompletableFuture<@Nullable JsonNode> future = new CompletableFuture<>();
    Call call;
    try {
      call = client.newCall(request(operation, url).post(json(operation, body)).build());
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
      return future;
    }
    call.timeout().timeout(requestTimeout.plus(extraTimeout).toMillis(), TimeUnit.MILLISECONDS);
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
          future.complete(read(operation, response, false));
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
    String authorization = auth.header(engine, operation);
    if (authorization != null) {
      r.header("Authorization", authorization);
    }
    return r;
  }

  private @Nullable JsonNode execute(String operation, Request.Builder request, boolean required) {
    Call call = client.newCall(request.build());
    try (Response response = call.execute()) {
      return read(operation, response, required);
    } catch (IOException e) {
      if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
        throw new EngineUnavailableException(engine, operation, -1, null, "interrupted", e);
      }
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
    return new EngineUnavailableException(engine, operation, -1, null, what, e);
  }

  private @Nullable JsonNode read(String operation, Response response, boolean required)
      throws IOException {
    int status = response.code();
    String text = text(operation, status, response.body());
    if (status < 200 || status >= 300) {
      String contentType = response.header("Content-Type");
      String mediaType = contentType == null ? null
          : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
      throw error(operation, response.request().url(), status, mediaType, text);
    }
    if (text.isBlank()) {
      if (required) {
        throw new MalformedAnswerException(engine, operation, status, null,
            "expected a JSON body, got none", null);
      }
      return null;
    }
    try {
      return Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new MalformedAnswerException(engine, operation, status, text,
          "the answer is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private String text(String operation, int status, @Nullable ResponseBody body) throws IOException {
    if (body == null) {
      return "";
    }
    BufferedSource source = body.source();
    if (source.request(MAX_ANSWER_BYTES + 1)) {
      Buffer start = new Buffer();
      Buffer read = source.getBuffer();
      read.copyTo(start, 0, Math.min(PolyworkerException.MAX_EXCERPT, read.size()));
      throw new MalformedAnswerException(engine, operation, status, start.readUtf8(),
          "the answer is larger than " + MAX_ANSWER_BYTES + " bytes", null);
    }
    return source.getBuffer().readString(StandardCharsets.UTF_8);
  }

  /** Cancels calls and shuts down the client's threads and connections, unless it is shared. */
  @Override
  public void close() {
    if (ownClient) {
      client.dispatcher().cancelAll();
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  /** The base URL and the auth scheme; never a secret. */
  @Override
  public String toString() {
    return base + ", auth=" + auth;
  }
}
