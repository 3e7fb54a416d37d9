package io.polyworker.zeebe.internal;

import io.polyworker.Engine;
import io.polyworker.EngineConfig;
import io.polyworker.PolyworkerException;
import io.polyworker.spi.EngineProvider;
import io.polyworker.zeebe.ZeebeEngine;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * {@code polyworker.engine=zeebe}: builds a {@link ZeebeEngine} from {@link EngineConfig}. Keys (also
 * as environment variables, e.g. {@code POLYWORKER_ZEEBE_PLAINTEXT}):
 * <ul>
 *   <li>{@code polyworker.url} — the gRPC address, {@code https://host:port} or {@code http://host:port}; required;
 *   <li>{@code polyworker.zeebe.plaintext} — {@code true}/{@code false}; default: true for {@code http://}, false for {@code https://};
 *   <li>{@code polyworker.zeebe.ca-certificate-path} — PEM file of trusted CAs; default: the JVM's trust store;
 *   <li>{@code polyworker.zeebe.streaming}, {@code polyworker.zeebe.long-polling} — {@code true}/{@code false}; defaults true, false;
 *   <li>{@code polyworker.zeebe.request-timeout} — ISO-8601 duration such as {@code PT20S}; default 10 s;
 *   <li>{@code polyworker.auth=oauth2} (implied by a client id) with {@code polyworker.oauth.token-url},
 *       {@code .client-id}, {@code .client-secret}, and optionally {@code .audience} and {@code .scope}.
 * </ul>
 * Basic and bearer auth are not offered for Zeebe's gRPC gateway and are rejected with a message.
 */
public final class ZeebeEngineProvider implements EngineProvider {
  static final String PLAINTEXT = "polyworker.zeebe.plaintext";
  static final String CA_CERTIFICATE_PATH = "polyworker.zeebe.ca-certificate-path";
  static final String STREAMING = "polyworker.zeebe.streaming";
  static final String LONG_POLLING = "polyworker.zeebe.long-polling";
  static final String REQUEST_TIMEOUT = "polyworker.zeebe.request-timeout";

  public ZeebeEngineProvider() {}

  @Override
  public String id() {
    return ZeebeEngine.ID;
  }

  @Override
  public Engine create(EngineConfig config) {
    String url = config.require(EngineConfig.URL);
    URI address;
    try {
      address = URI.create(url);
    } catch (IllegalArgumentException e) {
      // Neither the URL nor the parser's message (which quotes it) may show user info.
      throw new PolyworkerException("setting " + EngineConfig.URL + " (environment variable "
          + EngineConfig.envName(EngineConfig.URL) + ") is not a URI: "
          + ZeebeSettings.withoutUserInfo(url));
    }
    ZeebeEngine.Builder builder = ZeebeEngine.builder();
    try {
      builder.grpcAddress(address);
    } catch (IllegalArgumentException e) {
      throw new PolyworkerException("setting " + EngineConfig.URL + " (environment variable "
          + EngineConfig.envName(EngineConfig.URL) + "): " + e.getMessage(), e);
    }
    Boolean plaintext = bool(config, PLAINTEXT);
    if (plaintext == null ? "http".equalsIgnoreCase(address.getScheme()) : plaintext) {
      builder.plaintext();
    }
    String ca = config.get(CA_CERTIFICATE_PATH);
    if (ca != null) {
      builder.caCertificatePath(Path.of(ca));
    }
    Boolean streaming = bool(config, STREAMING);
    if (streaming != null) {
      builder.streaming(streaming);
    }
    Boolean longPolling = bool(config, LONG_POLLING);
    if (longPolling != null) {
      builder.longPolling(longPolling);
    }
    String timeout = config.get(REQUEST_TIMEOUT);
    if (timeout != null) {
      try {
        builder.requestTimeout(Duration.parse(timeout));
      } catch (DateTimeParseException | IllegalArgumentException e) {
        throw new PolyworkerException("setting " + REQUEST_TIMEOUT + " must be a positive ISO-8601"
            + " duration such as PT20S: " + timeout, e);
      }
    }
    String auth = config.authType();
    switch (auth) {
      case "none":
        break;
      case "oauth2":
        String tokenUrl = config.require(EngineConfig.OAUTH_TOKEN_URL);
        URI tokenUri;
        try {
          tokenUri = URI.create(tokenUrl);
        } catch (IllegalArgumentException e) {
          throw new PolyworkerException("setting " + EngineConfig.OAUTH_TOKEN_URL + " is not a URI: "
              + ZeebeSettings.withoutUserInfo(tokenUrl));
        }
        try {
          builder.oauth2(tokenUri, config.require(EngineConfig.OAUTH_CLIENT_ID),
              config.require(EngineConfig.OAUTH_CLIENT_SECRET), config.get(EngineConfig.OAUTH_AUDIENCE),
              config.get(EngineConfig.OAUTH_SCOPE));
        } catch (IllegalArgumentException e) {
          throw new PolyworkerException("OAuth2 settings: " + e.getMessage(), e);
        }
        break;
      default:
        throw new PolyworkerException("setting " + EngineConfig.AUTH + "=" + auth + " is not supported"
            + " by the Zeebe engine: use oauth2 (client credentials) or none");
    }
    try {
      return builder.build();
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new PolyworkerException("Zeebe settings: " + e.getMessage(), e);
    }
  }

  private static @Nullable Boolean bool(EngineConfig config, String key) {
    String value = config.get(key);
    if (value == null) {
      return null;
    }
    switch (value.toLowerCase(Locale.ROOT)) {
      case "true":
        return Boolean.TRUE;
      case "false":
        return Boolean.FALSE;
      default:
        throw new PolyworkerException("setting " + key + " (environment variable "
            + EngineConfig.envName(key) + ") must be true or false: " + value);
    }
  }
}
