package io.polyworker.zeebe;

import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.PolyworkerException;
import io.polyworker.engine.EngineProvider;
import io.polyworker.support.internal.ConfigErrors;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * {@code polyworker.engine=zeebe}: builds a {@link ZeebeEngine} from {@link EngineConfig}, reading the
 * keys of {@link ZeebeEngine#CONFIG_KEYS}. Basic and bearer auth are not offered for Zeebe's gRPC
 * gateway and are rejected with a message.
 *
 * <p>Registered for {@link java.util.ServiceLoader}; applications use {@link ZeebeEngine} or
 * {@code Engines.fromConfig}, not this class.
 */
public final class ZeebeEngineProvider implements EngineProvider {
  public ZeebeEngineProvider() {}

  @Override
  public String id() {
    return ZeebeEngine.ID;
  }

  @Override
  public Engine create(EngineConfig config) {
    String url = config.require(EngineConfig.URL);
    URI address = uri(url, "setting " + EngineConfig.URL + " (environment variable "
        + EngineConfig.envName(EngineConfig.URL) + ")");
    ZeebeEngine.Builder builder = ZeebeEngine.builder();
    try {
      builder.grpcAddress(address);
    } catch (IllegalArgumentException e) {
      throw ConfigErrors.invalid(EngineConfig.URL, ": " + e.getMessage(), e);
    }
    Boolean plaintext = bool(config, ZeebeEngine.PLAINTEXT);
    if (plaintext == null ? "http".equalsIgnoreCase(address.getScheme()) : plaintext) {
      builder.plaintext();
    }
    String ca = config.get(ZeebeEngine.CA_CERTIFICATE_PATH);
    if (ca != null) {
      builder.caCertificatePath(Path.of(ca));
    }
    Boolean streaming = bool(config, ZeebeEngine.STREAMING);
    if (streaming != null) {
      builder.streaming(streaming);
    }
    Boolean longPolling = bool(config, ZeebeEngine.LONG_POLLING);
    if (longPolling != null) {
      builder.longPolling(longPolling);
    }
    String timeout = config.get(ZeebeEngine.REQUEST_TIMEOUT);
    if (timeout != null) {
      try {
        builder.requestTimeout(Duration.parse(timeout));
      } catch (DateTimeParseException | IllegalArgumentException e) {
        throw new PolyworkerException("setting " + ZeebeEngine.REQUEST_TIMEOUT + " must be a positive"
            + " ISO-8601 duration such as PT20S: " + timeout, e);
      }
    }
    String auth = config.authType();
    switch (auth) {
      case "none":
        break;
      case "oauth2":
        URI tokenUri = uri(config.require(EngineConfig.OAUTH_TOKEN_URL),
            "setting " + EngineConfig.OAUTH_TOKEN_URL);
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

  /** @param setting names the setting in the message, which never shows user info */
  private static URI uri(String value, String setting) {
    try {
      return URI.create(value);
    } catch (IllegalArgumentException e) {
      // Neither the URL nor the parser's message (which quotes it) may show user info.
      throw new PolyworkerException(setting + " is not a URI: " + EngineConfig.withoutUserInfo(value));
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
        throw ConfigErrors.invalid(key, " must be true or false: " + value, null);
    }
  }
}
