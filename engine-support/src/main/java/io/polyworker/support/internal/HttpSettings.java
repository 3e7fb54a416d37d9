package io.polyworker.support.internal;

import io.polyworker.engine.EngineConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The connection options every REST engine has: base URL, auth, timeouts and an optional shared OkHttp
 * client. Immutable. The public engine builders keep their own documented setters and delegate to a
 * {@link Builder}, whose setters fail fast with a message naming the option, so both engines validate
 * the same way.
 *
 * <p>Every REST base URL, from a builder or from configuration, passes {@link Builder#baseUrl}, which
 * refuses user info ({@code https://user:password@host/...}): OkHttp never sends it as credentials,
 * and the URL is printed in messages and {@code toString()}. No message quotes the user info.
 */
public final class HttpSettings {
  /** Default TCP connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Default timeout of one whole request. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final HttpUrl baseUrl;
  private final HttpAuth auth;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final @Nullable OkHttpClient sharedClient;

  private HttpSettings(Builder b, HttpUrl baseUrl) {
    this.baseUrl = baseUrl;
    this.auth = b.auth;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.sharedClient = b.sharedClient;
  }

  /** A builder with no base URL, no auth, the default timeouts and a client of its own. */
  public static Builder builder() {
    return new Builder();
  }

  public HttpUrl baseUrl() {
    return baseUrl;
  }

  public HttpAuth auth() {
    return auth;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** The client to derive ours from, or null for a client of our own (closed with the engine). */
  public @Nullable OkHttpClient sharedClient() {
    return sharedClient;
  }

  @Override
  public String toString() {
    return "baseUrl=" + baseUrl + ", auth=" + auth + ", connectTimeout=" + connectTimeout
        + ", requestTimeout=" + requestTimeout;
  }

  /** See {@link io.polyworker.engine.EngineConfig#withoutUserInfo(String)}. */
  public static String withoutUserInfo(String url) {
    return io.polyworker.engine.EngineConfig.withoutUserInfo(url);
  }

  /** Mutable, not thread-safe; the last auth set wins. */
  public static final class Builder {
    private @Nullable HttpUrl baseUrl;
    private HttpAuth auth = HttpAuth.none();
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private @Nullable OkHttpClient sharedClient;

    private Builder() {}

    public Builder baseUrl(String url) {
      HttpUrl parsed = HttpUrl.parse(Objects.requireNonNull(url, "baseUrl"));
      if (parsed == null) {
        throw new IllegalArgumentException("baseUrl is not an http(s) URL: " + withoutUserInfo(url)
            + (url.contains("://") ? "" : " (it needs a scheme: http://host:port/path or"
                + " https://host:port/path)"));
      }
      if (!parsed.username().isEmpty() || !parsed.password().isEmpty()) {
        throw new IllegalArgumentException("baseUrl must not contain user info ("
            + withoutUserInfo(url) + "): it is never sent as credentials; use basicAuth(username,"
            + " password), or the settings " + EngineConfig.USERNAME + " / " + EngineConfig.PASSWORD
            + " (" + EngineConfig.envName(EngineConfig.USERNAME) + " / "
            + EngineConfig.envName(EngineConfig.PASSWORD) + "), instead");
      }
      this.baseUrl = parsed;
      return this;
    }

    public Builder basicAuth(String username, String password) {
      this.auth = HttpAuth.basic(username, password);
      return this;
    }

    public Builder bearerToken(String token) {
      this.auth = HttpAuth.bearerToken(token);
      return this;
    }

    public Builder tokenSupplier(Supplier<String> supplier) {
      this.auth = HttpAuth.tokenSupplier(supplier);
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    public Builder httpClient(OkHttpClient client) {
      this.sharedClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    private static Duration positive(@Nullable Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be > 0: " + d);
      }
      return d;
    }

    /**
     * The settings.
     *
     * @param baseUrlExample what a base URL looks like for this engine, quoted when it is missing
     * @throws IllegalStateException when the base URL is missing
     */
    public HttpSettings build(String baseUrlExample) {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl is required (" + baseUrlExample + ")");
      }
      return new HttpSettings(this, baseUrl);
    }

    /** Same as {@link HttpSettings#toString()}; the base URL may still be null. Never a secret. */
    @Override
    public String toString() {
      return "baseUrl=" + baseUrl + ", auth=" + auth + ", connectTimeout=" + connectTimeout
          + ", requestTimeout=" + requestTimeout;
    }
  }
}
