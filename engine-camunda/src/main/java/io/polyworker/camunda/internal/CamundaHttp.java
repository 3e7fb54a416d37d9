package io.polyworker.camunda.internal;

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
import io.polyworker.internal.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
import org.jspecify.annotations.Nullable;

/**
 * The HTTP conversation with Camunda's REST API: JSON in and out, auth, timeouts, and the mapping of
 * every failure onto Polyworker's exception hierarchy. All answers are parsed as untrusted JSON
 * (never Java-deserialized); a body that is not what the contract says becomes a
 * {@link MalformedAnswerException} with an excerpt.
 */
public final class CamundaHttp implements AutoCloseable {
  static final String ENGINE = "camunda";
  static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  /** Job operations: a 404 there means the job is gone (completed, deleted), not a wrong URL. */
  private static final Set<String> JOB_OPERATIONS =
      Set.of("complete", "fail", "bpmnError", "extendLock", "release");

  private final HttpUrl base;
  private final OkHttpClient client;
  private final boolean ownClient;
  private final Duration requestTimeout;
  private final String authDescription;

  public CamundaHttp(HttpUrl base, @Nullable OkHttpClient shared, Duration connectTimeout,
      Duration requestTimeout, @Nullable String username, @Nullable String password,
      @Nullable Supplier<String> token) {
    this.base = base;
    this.requestTimeout = requestTimeout;
    this.ownClient = shared == null;
    OkHttpClient.Builder b;
    if (shared == null) {
      Dispatcher dispatcher = new Dispatcher();
      // Every subscription keeps a long poll open: don't let OkHttp's per-host limit of 5 queue them.
      dispatcher.setMaxRequests(256);
      dispatcher.setMaxRequestsPerHost(256);
      b = new OkHttpClient.Builder().dispatcher(dispatcher);
    } else {
      b = shared.newBuilder();
    }
    b.connectTimeout(connectTimeout).readTimeout(Duration.ZERO).writeTimeout(requestTimeout)
        .callTimeout(requestTimeout).retryOnConnectionFailure(true);
    if (username != null && password != null) {
      String header = Credentials.basic(username, password);
      b.addInterceptor(chain -> chain.proceed(
          chain.request().newBuilder().header("Authorization", header).build()));
      authDescription = "basic(" + username + ")";
    } else if (token != null) {
      b.addInterceptor(chain -> chain.proceed(
          chain.request().newBuilder().header("Authorization", "Bearer " + token.get()).build()));
      authDescription = "bearer";
    } else {
      authDescription = "none";
    }
    this.client = b.build();
  }

  /** The URL of a path below the REST root; segments are encoded. */
  public HttpUrl url(String... segments) {
    HttpUrl.Builder b = base.newBuilder();
    for (String s : segments) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  HttpUrl.Builder urlBuilder(String... segments) {
    return url(segments).newBuilder();
  }

  /** POSTs JSON and returns the answer (null for 204). */
  public @Nullable JsonNode post(String operation, HttpUrl url, Object body) {
    return execute(operation, new Request.Builder().url(url).post(json(operation, body)).build(),
        null);
  }

  /** GETs JSON. */
  public JsonNode get(String operation, HttpUrl url) {
    JsonNode node = execute(operation, new Request.Builder().url(url).get().build(), null);
    if (node == null) {
      throw new MalformedAnswerException(ENGINE, operation, 204, null,
          "expected a JSON body, got none", null);
    }
    return node;
  }

  /** Sends any request and returns the JSON answer (null for an empty body). */
  @Nullable JsonNode send(String operation, Request request) {
    return execute(operation, request, null);
  }

  /** POSTs JSON asynchronously; {@code extraTimeout} is added to the request timeout (long polls). */
  public CompletableFuture<@Nullable JsonNode> postAsync(String operation, HttpUrl url, Object body,
      Duration extraTimeout) {
    CompletableFuture<@Nullable JsonNode> future = new CompletableFuture<>();
    Call call;
    try {
      call = client.newCall(new Request.Builder().url(url).post(json(operation, body)).build());
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

  private @Nullable JsonNode execute(String operation, Request request, @Nullable Duration timeout) {
    Call call = client.newCall(request);
    if (timeout != null) {
      call.timeout().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    try (Response response = call.execute()) {
      return read(operation, response);
    } catch (IOException e) {
      if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
        throw new EngineUnavailableException(ENGINE, operation, -1, null, "interrupted", e);
      }
      throw ioError(operation, e);
    }
  }

  private RequestBody json(String operation, Object body) {
    try {
      return RequestBody.create(Json.MAPPER.writeValueAsBytes(body), JSON);
    } catch (JsonProcessingException e) {
      throw new io.polyworker.VariableException("the " + operation + " request cannot be written as JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  private EngineUnavailableException ioError(String operation, IOException e) {
    return new EngineUnavailableException(ENGINE, operation, -1, null,
        "no answer from " + base + ": " + e, e);
  }

  private @Nullable JsonNode read(String operation, Response response) throws IOException {
    ResponseBody body = response.body();
    String text = body == null ? "" : body.string();
    int status = response.code();
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

  /** Maps a non-2xx answer onto the exception hierarchy. */
  PolyworkerException error(String operation, int status, String text) {
    String type = "";
    String message = text.isBlank() ? "HTTP " + status : text;
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      if (node != null && node.isObject()) {
        type = node.path("type").asText("");
        if (node.hasNonNull("message")) {
          message = node.get("message").asText();
        }
      }
    } catch (JsonProcessingException e) {
      // not JSON: keep the raw text as the message
    }
    String detail = (type.isEmpty() ? "" : type + ": ") + message;
    String lower = message.toLowerCase(Locale.ROOT);
    if (status == 401 || status == 403) {
      return new AuthenticationException(ENGINE, operation, status, text, detail, null);
    }
    if (status == 429) {
      return new BackPressureException(ENGINE, operation, status, text, detail, null);
    }
    if (status >= 500) {
      return new EngineUnavailableException(ENGINE, operation, status, text, detail, null);
    }
    if (JOB_OPERATIONS.contains(operation)) {
      if (lower.contains("is locked by") || lower.contains("lock that expired")
          || lower.contains("locked by worker") || lower.contains("not locked")) {
        return new JobLockLostException(ENGINE, operation, status, text, detail, null);
      }
      if (status == 404) {
        return new JobAlreadyCompletedException(ENGINE, operation, status, text, detail, null);
      }
    }
    if (status == 404 || lower.contains("no matching") || lower.contains("does not exist")) {
      return new NotFoundException(ENGINE, operation, status, text, detail, null);
    }
    if ("deploy".equals(operation) && status == 400) {
      return new InvalidDefinitionException(ENGINE, operation, status, text, detail, null);
    }
    return new PolyworkerException(ENGINE, operation, status, text, detail, null);
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
