package io.polyworker.zeebe.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.camunda.client.CredentialsProvider;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import io.polyworker.PolyworkerException;
import io.polyworker.internal.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OAuth2 client-credentials tokens for the gRPC calls, kept in memory only.
 *
 * <p>Written instead of using the client's own {@code OAuthCredentialsProvider} because that one
 * reads {@code ZEEBE_*} environment variables and caches tokens in a file under the user's home
 * directory; a library should do neither behind its user's back. A token is fetched on first use,
 * reused until shortly before {@code expires_in} runs out, and dropped when the gateway answers
 * UNAUTHENTICATED (the client then retries the call once, with a new token). Fetching holds a lock,
 * so concurrent calls wait for one request instead of sending many.
 *
 * <p>Only the token the refused call carried is dropped (compare-and-clear): when several calls are
 * refused at once, the first refusal's retry fetches a new token, and a later refusal of a call that
 * still carried the old one must not throw the new one away (each would otherwise cost another token
 * request: with many calls in flight, a burst of them at the token endpoint). The client's
 * {@link #shouldRetryRequest} hook is not told which call failed, so this class is also a channel
 * interceptor that sets the call credentials itself: they note the token they put on each call, and
 * when the call closes UNAUTHENTICATED — before the client decides to retry — the cached token is
 * dropped only if it is that one. (The headers a call is started with cannot tell: gRPC's own retries
 * apply the credentials to a copy of them.) Like the client's own call credentials, they fetch on
 * gRPC's executor, not the caller's thread, and warn once when the channel has no TLS. Failures
 * surface as {@link TokenRequestException}, with which the credentials cancel the call (CANCELLED)
 * and which {@link ZeebeErrors} turns into an {@link io.polyworker.AuthenticationException}. Neither
 * the secret nor a token ever appears in a message or log line.
 */
final class OAuthClientCredentials implements CredentialsProvider, ClientInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(ZeebeEngineFactory.LOGGER);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** Tokens are renewed this long before they expire (or after 90 % of a shorter lifetime). */
  private static final Duration RENEW_MARGIN = Duration.ofSeconds(30);
  /** Lifetime assumed when the answer has no {@code expires_in}. */
  private static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

  private final ZeebeSettings.OAuth settings;
  private final Duration timeout;
  private final HttpClient http;
  private final Object lock = new Object();
  private final AtomicReference<@Nullable Token> token = new AtomicReference<>();
  private final AtomicBoolean plaintextWarned = new AtomicBoolean();

  OAuthClientCredentials(ZeebeSettings.OAuth settings, Duration timeout) {
    this.settings = settings;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public void applyCredentials(CredentialsApplier applier) throws IOException {
    applier.put("Authorization", "Bearer " + currentToken());
  }

  /** Retries a refused call once; {@link #refused} has already dropped the token it carried. */
  @Override
  public boolean shouldRetryRequest(StatusCode statusCode) {
    return statusCode.isUnauthorized();
  }

  /** Puts credentials on the call that note their token, and hands a refusal to {@link #refused}. */
  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
      Channel next) {
    NotingCredentials credentials = new NotingCredentials();
    ClientCall<Q, R> call = next.newCall(method, options.withCallCredentials(credentials));
    return CallEnds.watch(call, status -> {
      if (status.getCode() == Status.Code.UNAUTHENTICATED) {
        refused(credentials.applied);
      }
    });
  }

  /**
   * The gateway refused a call that carried this token: drops the cached token if it is that one.
   * Without a token to compare (not expected), drops whatever is cached.
   */
  void refused(@Nullable String applied) {
    Token t = token.get();
    if (t != null && (applied == null || applied.equals(t.value()))) {
      token.compareAndSet(t, null);
    }
  }

  /**
   * The bearer token on one call, fetched off the caller's thread (on the executor gRPC gives), as
   * the client's own call credentials do; a failure cancels the call with the cause, which
   * {@link ZeebeErrors} finds.
   */
  private final class NotingCredentials extends CallCredentials {
    volatile @Nullable String applied;

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
      if (info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY
          && plaintextWarned.compareAndSet(false, true)) {
        LOG.warn("OAuth2 tokens go to the Zeebe gateway without TLS (plaintext): anyone on the network"
            + " path can read them");
      }
      executor.execute(() -> {
        try {
          String value = currentToken();
          applied = value;
          Metadata headers = new Metadata();
          headers.put(AUTHORIZATION, "Bearer " + value);
          applier.apply(headers);
        } catch (IOException | RuntimeException e) {
          applier.fail(Status.CANCELLED.withCause(e));
        }
      });
    }
  }

  String currentToken() throws IOException {
    Token t = token.get();
    if (t != null && t.isFresh()) {
      return t.value();
    }
    synchronized (lock) {
      t = token.get();
      if (t == null || !t.isFresh()) {
        t = fetch();
        token.set(t);
      }
      return t.value();
    }
  }

  private Token fetch() throws IOException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    form.put("client_id", settings.clientId());
    form.put("client_secret", settings.clientSecret());
    if (settings.audience() != null) {
      form.put("audience", settings.audience());
    }
    if (settings.scope() != null) {
      form.put("scope", settings.scope());
    }
    String body = form.entrySet().stream()
        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(Collectors.joining("&"));
    HttpRequest request = HttpRequest.newBuilder(settings.tokenUrl())
        .timeout(timeout)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException io = new InterruptedIOException("interrupted while fetching an OAuth2 token");
      io.initCause(e);
      throw io;
    } catch (IOException e) {
      throw new TokenRequestException(-1, null, "the OAuth2 token endpoint " + settings.tokenUrl()
          + " cannot be reached: " + e, e);
    }
    if (response.statusCode() != 200) {
      throw new TokenRequestException(response.statusCode(), response.body(),
          "the OAuth2 token endpoint " + settings.tokenUrl() + " answered " + response.statusCode()
              + " for client id '" + settings.clientId() + "'", null);
    }
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new TokenRequestException(200, null, "the OAuth2 token endpoint " + settings.tokenUrl()
          + " answered something that is not JSON", null);
    }
    JsonNode accessToken = json == null ? null : json.get("access_token");
    if (accessToken == null || !accessToken.isTextual() || accessToken.asText().isBlank()) {
      throw new TokenRequestException(200, null, "the OAuth2 token endpoint " + settings.tokenUrl()
          + " answered without an access_token", null);
    }
    JsonNode expiresIn = json.get("expires_in");
    Duration lifetime = expiresIn != null && expiresIn.canConvertToLong() && expiresIn.asLong() > 0
        ? Duration.ofSeconds(expiresIn.asLong()) : DEFAULT_LIFETIME;
    Duration margin = lifetime.compareTo(RENEW_MARGIN.multipliedBy(10)) < 0
        ? lifetime.dividedBy(10) : RENEW_MARGIN;
    return new Token(accessToken.asText(), Instant.now().plus(lifetime).minus(margin));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "OAuthClientCredentials" + settings;
  }

  /** An access token and when to fetch the next one. */
  private record Token(String value, Instant renewAt) {
    /** Never the token itself. */
    @Override
    public String toString() {
      return "Token[renewAt=" + renewAt + "]";
    }

    boolean isFresh() {
      return Instant.now().isBefore(renewAt);
    }
  }

  /** The token endpoint failed; carries its HTTP status ({@code -1} when unreachable) and answer. */
  static final class TokenRequestException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int httpStatus;
    private final @Nullable String answer;

    TokenRequestException(int httpStatus, @Nullable String answer, String message,
        @Nullable Throwable cause) {
      super(message, cause);
      this.httpStatus = httpStatus;
      this.answer = PolyworkerException.excerpt(answer);
    }

    int httpStatus() {
      return httpStatus;
    }

    @Nullable String answer() {
      return answer;
    }
  }
}
