package io.polyworker.zeebe;

import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.zeebe.internal.ZeebeEngineFactory;
import io.polyworker.zeebe.internal.ZeebeSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Zeebe / Camunda 8 over its gRPC gateway: job workers (activate, push streaming, complete, fail,
 * throw error, update timeout) and process operations.
 *
 * <pre>{@code
 * // Camunda SaaS
 * Engine engine = ZeebeEngine.builder()
 *     .grpcAddress(URI.create("https://<cluster-id>.<region>.zeebe.camunda.io:443"))
 *     .oauth2("https://login.cloud.camunda.io/oauth/token", clientId, clientSecret, "zeebe.camunda.io")
 *     .build();
 *
 * // a local gateway without TLS
 * Engine local = ZeebeEngine.builder().grpcAddress(URI.create("http://localhost:26500")).plaintext().build();
 * }</pre>
 *
 * <p>What differs from the other engines, in short (the README has the details): Zeebe has no unlock,
 * so {@link io.polyworker.spi.EngineClient#release release} fails the job with its retries unchanged
 * and no backoff; it does not check which worker holds a job, so a stale worker's result is applied;
 * jobs cannot be filtered by process or business key; there are no task-local variables; numbers,
 * strings, booleans, lists and maps are the only variable types (dates travel as ISO-8601 strings;
 * {@code byte[]} and {@code BigDecimal} variables are refused, as Zeebe would change them into a
 * Base64 string and a double); a business key given on start is ignored (logged once).
 *
 * <p>The engine is thread-safe; share one per cluster. {@link Engine#close()} closes its gRPC
 * channel and threads.
 */
public final class ZeebeEngine {
  /** The engine id, {@code zeebe}. */
  public static final String ID = "zeebe";

  /**
   * Configuration key: {@code true} for {@link Builder#plaintext()}, {@code false} for TLS; default
   * true for an {@code http://} address, false for {@code https://}.
   */
  public static final String PLAINTEXT = "polyworker.zeebe.plaintext";
  /** Configuration key of {@link Builder#caCertificatePath(Path)}; default the JVM's trust store. */
  public static final String CA_CERTIFICATE_PATH = "polyworker.zeebe.ca-certificate-path";
  /**
   * Configuration key of {@link Builder#streaming(boolean)}, {@code true} or {@code false};
   * default true.
   */
  public static final String STREAMING = "polyworker.zeebe.streaming";
  /**
   * Configuration key of {@link Builder#longPolling(boolean)}, {@code true} or {@code false};
   * default false.
   */
  public static final String LONG_POLLING = "polyworker.zeebe.long-polling";
  /**
   * Configuration key of {@link Builder#requestTimeout(Duration)}, an ISO-8601 duration such as
   * {@code PT20S}; default 10 s.
   */
  public static final String REQUEST_TIMEOUT = "polyworker.zeebe.request-timeout";

  /**
   * The keys {@link io.polyworker.engine.Engines#fromConfig} reads to build this engine, each also as an
   * environment variable ({@code polyworker.zeebe.plaintext} is {@code POLYWORKER_ZEEBE_PLAINTEXT}):
   * common ones of {@link EngineConfig} and five of its own. Basic and bearer auth are refused with a
   * message: Zeebe's gateway takes OAuth2 or no credentials.
   *
   * <table>
   *   <caption>Configuration keys and defaults</caption>
   *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
   *   <tr><td>{@value EngineConfig#ENGINE}</td><td>{@code zeebe}</td><td>none: required</td></tr>
   *   <tr><td>{@value EngineConfig#URL}</td><td>the gRPC address, {@code https://host:port} or
   *       {@code http://host:port} ({@link Builder#grpcAddress})</td><td>none: required</td></tr>
   *   <tr><td>{@value #PLAINTEXT}</td><td>{@code true} or {@code false} ({@link Builder#plaintext})</td>
   *       <td>true for {@code http://}, false for {@code https://}</td></tr>
   *   <tr><td>{@value #CA_CERTIFICATE_PATH}</td><td>PEM file of trusted CAs
   *       ({@link Builder#caCertificatePath})</td><td>the JVM's trust store</td></tr>
   *   <tr><td>{@value #STREAMING}</td><td>{@code true} or {@code false} ({@link Builder#streaming})</td>
   *       <td>true</td></tr>
   *   <tr><td>{@value #LONG_POLLING}</td><td>{@code true} or {@code false}
   *       ({@link Builder#longPolling})</td><td>false</td></tr>
   *   <tr><td>{@value #REQUEST_TIMEOUT}</td><td>ISO-8601 duration such as {@code PT20S}
   *       ({@link Builder#requestTimeout})</td><td>{@code PT10S}</td></tr>
   *   <tr><td>{@value EngineConfig#AUTH}</td><td>{@code none} or {@code oauth2}</td>
   *       <td>{@code oauth2} when a client id is set, else {@code none}</td></tr>
   *   <tr><td>{@value EngineConfig#OAUTH_TOKEN_URL}, {@value EngineConfig#OAUTH_CLIENT_ID},
   *       {@value EngineConfig#OAUTH_CLIENT_SECRET}</td><td>OAuth2 client credentials
   *       ({@link Builder#oauth2(URI, String, String, String, String)})</td>
   *       <td>none; required with {@code oauth2}</td></tr>
   *   <tr><td>{@value EngineConfig#OAUTH_AUDIENCE}, {@value EngineConfig#OAUTH_SCOPE}</td>
   *       <td>token audience and scope</td><td>none</td></tr>
   * </table>
   */
  public static final List<String> CONFIG_KEYS = List.of(EngineConfig.ENGINE, EngineConfig.URL,
      PLAINTEXT, CA_CERTIFICATE_PATH, STREAMING, LONG_POLLING, REQUEST_TIMEOUT, EngineConfig.AUTH,
      EngineConfig.OAUTH_TOKEN_URL, EngineConfig.OAUTH_CLIENT_ID, EngineConfig.OAUTH_CLIENT_SECRET,
      EngineConfig.OAUTH_AUDIENCE, EngineConfig.OAUTH_SCOPE);

  private ZeebeEngine() {}

  /** A builder with the defaults documented on its setters. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a Zeebe {@link Engine}. Not thread-safe.
   *
   * <table>
   *   <caption>Options and defaults</caption>
   *   <tr><th>option</th><th>default</th></tr>
   *   <tr><td>{@link #grpcAddress(URI)}</td><td>none: required</td></tr>
   *   <tr><td>transport security</td><td>TLS with the JVM's default trust store; {@link #caCertificatePath(Path)}
   *       for a private CA, {@link #plaintext()} for none</td></tr>
   *   <tr><td>{@link #oauth2 OAuth2 client credentials}</td><td>none: no credentials are sent</td></tr>
   *   <tr><td>{@link #requestTimeout(Duration)}</td><td>10 s</td></tr>
   *   <tr><td>{@link #streaming(boolean)}</td><td>true</td></tr>
   *   <tr><td>{@link #longPolling(boolean)}</td><td>false</td></tr>
   * </table>
   *
   * <p>Unlike the official client, nothing is read from {@code ZEEBE_*} environment variables and no
   * token is written to disk; use {@link io.polyworker.engine.Engines#fromConfig} for configuration.
   */
  public static final class Builder {
    private @Nullable URI grpcAddress;
    private boolean plaintext;
    private @Nullable Path caCertificatePath;
    private ZeebeSettings.@Nullable OAuth oauth;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private boolean streaming = true;
    private boolean longPolling;

    private Builder() {}

    /**
     * The gateway's gRPC address, such as {@code https://cluster.bru-2.zeebe.camunda.io:443} or
     * {@code http://localhost:26500}. Required. The scheme must agree with the transport security:
     * {@code http} with {@link #plaintext()}, {@code https} (the default) otherwise. User info
     * ({@code https://user:password@host:443}) is refused: use {@link #oauth2} for credentials.
     */
    public Builder grpcAddress(URI address) {
      Objects.requireNonNull(address, "grpcAddress");
      if (ZeebeSettings.hasUserInfo(address)) {
        throw new IllegalArgumentException("grpcAddress must not contain user info ("
            + ZeebeSettings.withoutUserInfo(address.toString()) + "): the gateway is never sent it as"
            + " credentials; use oauth2(tokenUrl, clientId, clientSecret, audience), or the settings "
            + EngineConfig.OAUTH_CLIENT_ID + " / " + EngineConfig.OAUTH_CLIENT_SECRET + " ("
            + EngineConfig.envName(EngineConfig.OAUTH_CLIENT_ID) + " / "
            + EngineConfig.envName(EngineConfig.OAUTH_CLIENT_SECRET) + "), instead");
      }
      String scheme = address.getScheme() == null ? "" : address.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("grpcAddress must be an http:// or https:// URI: " + address);
      }
      if (address.getHost() == null || address.getPort() < 0) {
        throw new IllegalArgumentException("grpcAddress needs a host and a port: " + address);
      }
      this.grpcAddress = address;
      return this;
    }

    /** Talk to the gateway without TLS (local development, test engines). Default: TLS. */
    public Builder plaintext() {
      this.plaintext = true;
      this.caCertificatePath = null;
      return this;
    }

    /**
     * Use TLS (the default) and trust the CA certificate(s) in this PEM file instead of the JVM's
     * default trust store. The file must exist when {@link #build()} is called.
     */
    public Builder caCertificatePath(Path pemFile) {
      this.caCertificatePath = Objects.requireNonNull(pemFile, "caCertificatePath");
      this.plaintext = false;
      return this;
    }

    /**
     * OAuth2 client credentials, as Camunda SaaS and self-managed Identity use them: a token is
     * fetched from {@code tokenUrl} with {@code grant_type=client_credentials}, kept in memory,
     * renewed shortly before it expires and when the gateway answers UNAUTHENTICATED. Default: no
     * credentials.
     *
     * @param tokenUrl the token endpoint, e.g. {@code https://login.cloud.camunda.io/oauth/token}
     * @param audience the token audience, e.g. {@code zeebe.camunda.io}
     */
    public Builder oauth2(URI tokenUrl, String clientId, String clientSecret, String audience) {
      return oauth2(tokenUrl, clientId, clientSecret, notBlank(audience, "audience"), null);
    }

    /**
     * OAuth2 client credentials with an optional audience and scope (identity providers such as
     * Microsoft Entra ID want a scope instead of an audience); see
     * {@link #oauth2(URI, String, String, String)}.
     */
    public Builder oauth2(URI tokenUrl, String clientId, String clientSecret,
        @Nullable String audience, @Nullable String scope) {
      Objects.requireNonNull(tokenUrl, "tokenUrl");
      if (ZeebeSettings.hasUserInfo(tokenUrl)) {
        throw new IllegalArgumentException("tokenUrl must not contain user info ("
            + ZeebeSettings.withoutUserInfo(tokenUrl.toString()) + "): the token request never sends"
            + " it; the client is identified by clientId and clientSecret");
      }
      if (!"https".equalsIgnoreCase(tokenUrl.getScheme()) && !"http".equalsIgnoreCase(tokenUrl.getScheme())) {
        throw new IllegalArgumentException("tokenUrl must be an http(s) URL: " + tokenUrl);
      }
      if (clientSecret == null || clientSecret.isEmpty()) {
        throw new IllegalArgumentException("clientSecret is empty");
      }
      this.oauth = new ZeebeSettings.OAuth(tokenUrl, notBlank(clientId, "clientId"), clientSecret,
          blankToNull(audience, "audience"), blankToNull(scope, "scope"));
      return this;
    }

    /**
     * Deadline of every command, &gt; 0. Default 10 s. A job activation gets its long-poll time
     * plus 10 s instead (the official client's fixed offset).
     */
    public Builder requestTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "requestTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be > 0: " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Whether workers open a job stream ({@code StreamActivatedJobs}) per subscription, so that new
     * jobs are pushed to them as soon as they are created; polling still picks up jobs that existed
     * before the stream opened. Default true. Turn off for gateways older than 8.3 or proxies that
     * cut long-lived gRPC streams.
     */
    public Builder streaming(boolean enabled) {
      this.streaming = enabled;
      return this;
    }

    /**
     * Whether the gateway long-polls job activation: an activation that finds no job waits up to the
     * subscription's long-poll timeout for one. Real gateways do unless configured otherwise; the
     * in-memory engine of {@code zeebe-process-test} answers at once. Default false, because with
     * {@link #streaming(boolean) streaming} new jobs arrive by push anyway and polling only collects
     * the backlog; turn it on for a real gateway with streaming off.
     */
    public Builder longPolling(boolean enabled) {
      this.longPolling = enabled;
      return this;
    }

    /**
     * Builds the engine. Does not contact the gateway.
     *
     * @throws IllegalStateException when grpcAddress is missing or its scheme contradicts the
     *     transport security
     * @throws IllegalArgumentException when the CA certificate file does not exist
     */
    public Engine build() {
      URI address = grpcAddress;
      if (address == null) {
        throw new IllegalStateException(
            "grpcAddress is required (e.g. https://<cluster>.zeebe.camunda.io:443 or http://localhost:26500)");
      }
      boolean http = "http".equalsIgnoreCase(address.getScheme());
      if (http && !plaintext) {
        throw new IllegalStateException("grpcAddress " + address + " is http:// but TLS is on: call"
            + " plaintext() for a gateway without TLS, or use https://");
      }
      if (!http && plaintext) {
        throw new IllegalStateException("grpcAddress " + address + " is https:// but plaintext() was"
            + " chosen: use http:// for a gateway without TLS");
      }
      Path ca = caCertificatePath;
      if (ca != null && !Files.isReadable(ca)) {
        throw new IllegalArgumentException("caCertificatePath is not a readable file: " + ca);
      }
      return ZeebeEngineFactory.create(new ZeebeSettings(address, plaintext, ca, oauth, requestTimeout,
          streaming, longPolling));
    }

    private static String notBlank(@Nullable String value, String name) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + " is blank");
      }
      return value;
    }

    private static @Nullable String blankToNull(@Nullable String value, String name) {
      if (value != null && value.isBlank()) {
        throw new IllegalArgumentException(name + " is blank");
      }
      return value;
    }

    @Override
    public String toString() {
      return "ZeebeEngine.Builder{grpcAddress=" + grpcAddress + ", plaintext=" + plaintext
          + ", caCertificatePath=" + caCertificatePath + ", oauth=" + oauth + ", requestTimeout="
          + requestTimeout + ", streaming=" + streaming + ", longPolling=" + longPolling + "}";
    }
  }
}
