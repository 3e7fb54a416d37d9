package io.polyworker.support;

import io.polyworker.engine.Engine;
import io.polyworker.support.internal.HttpSettings;
import java.time.Duration;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;

/**
 * The connection options both REST engines' builders share, {@code CamundaEngine.Builder} and
 * {@code FlowableEngine.Builder}: base URL, authentication, timeouts and an optional shared OkHttp
 * client. Each engine's builder adds what is its own and documents the form of its base URL.
 * Applications use those builders; this class is only their common part and is not meant to be
 * extended elsewhere.
 *
 * <p>Not thread-safe. Setters fail fast with an {@link IllegalArgumentException} naming the option;
 * the last authentication set wins. {@link #toString()} never shows a password or a token.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th></tr>
 *   <tr><td>{@link #baseUrl(String)}</td><td>none: required</td></tr>
 *   <tr><td>auth</td><td>none; {@link #basicAuth}, {@link #bearerToken} or {@link #tokenSupplier}</td></tr>
 *   <tr><td>{@link #connectTimeout(Duration)}</td><td>5 s</td></tr>
 *   <tr><td>{@link #requestTimeout(Duration)}</td><td>30 s</td></tr>
 *   <tr><td>{@link #httpClient(OkHttpClient)}</td><td>a client of its own, closed with the engine</td></tr>
 * </table>
 *
 * @param <B> the engine's own builder type, returned by every setter
 */
public abstract class RestEngineBuilder<B extends RestEngineBuilder<B>> {
  private final HttpSettings.Builder settings = HttpSettings.builder();
  private final String baseUrlExample;

  /**
   * @param baseUrlExample what this engine's base URL looks like, quoted when it is missing
   */
  protected RestEngineBuilder(String baseUrlExample) {
    this.baseUrlExample = baseUrlExample;
  }

  /**
   * The REST root of the engine (its form is on the engine's builder). Required. A URL with user info
   * ({@code https://user:password@host/...}) is refused: use {@link #basicAuth} instead.
   */
  public B baseUrl(String url) {
    settings.baseUrl(url);
    return self();
  }

  /** HTTP basic authentication on every request. Replaces a token set before. */
  public B basicAuth(String username, String password) {
    settings.basicAuth(username, password);
    return self();
  }

  /** A static bearer token sent on every request. Replaces basic auth set before. */
  public B bearerToken(String token) {
    settings.bearerToken(token);
    return self();
  }

  /**
   * A bearer token asked for on every request, for tokens that change (such as an OAuth2 access token
   * refreshed elsewhere). Called on HTTP threads, so it must be thread-safe; cache inside the supplier
   * if obtaining a token is costly. A supplier that throws or returns a blank token fails that request
   * with an {@link io.polyworker.AuthenticationException}, which the worker retries like any transient
   * error. Replaces basic auth set before.
   */
  public B tokenSupplier(Supplier<String> supplier) {
    settings.tokenSupplier(supplier);
    return self();
  }

  /** TCP connect timeout, &gt; 0. Default 5 s. */
  public B connectTimeout(Duration timeout) {
    settings.connectTimeout(timeout);
    return self();
  }

  /**
   * Timeout of one whole request, &gt; 0. Default 30 s. A long poll (Camunda) gets its poll time on
   * top; Flowable answers every acquire at once, so there it only bounds slow servers and large
   * deployments.
   */
  public B requestTimeout(Duration timeout) {
    settings.requestTimeout(timeout);
    return self();
  }

  /**
   * Derive the HTTP client from this one: its connection pool and dispatcher are shared, and
   * Polyworker does not shut them down; the timeouts above still apply. Default: a client of its own,
   * closed with the engine.
   */
  public B httpClient(OkHttpClient client) {
    settings.httpClient(client);
    return self();
  }

  /**
   * Builds the engine. Does not contact the server.
   *
   * @throws IllegalStateException when the base URL is missing
   */
  public final Engine build() {
    return create(settings.build(baseUrlExample));
  }

  /** Creates the engine from the validated connection settings and the builder's own options. */
  protected abstract Engine create(HttpSettings settings);

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** The engine's own options for {@link #toString()}, such as {@code ", apiPath=/api"}; none here. */
  protected String ownOptions() {
    return "";
  }

  /** The options, never a secret: passwords and tokens are masked. */
  @Override
  public final String toString() {
    Class<?> owner = getClass().getEnclosingClass();
    String name = owner == null ? getClass().getSimpleName() : owner.getSimpleName() + ".Builder";
    return name + "{" + settings + ownOptions() + "}";
  }
}
