package io.polyworker.support.internal;

import io.polyworker.engine.EngineConfig;
import io.polyworker.PolyworkerException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The auth part of an {@link io.polyworker.engine.EngineProvider} for a REST engine: reads
 * {@link EngineConfig#authType()} and calls the engine builder's matching setter, so every REST engine
 * accepts the same settings and refuses the others with the same message (which never quotes a secret).
 */
public final class ConfigAuth {
  private ConfigAuth() {}

  /**
   * Applies {@code none}, {@code basic} or {@code bearer}.
   *
   * @param engine the engine id, for the message
   * @param basicAuth the builder's {@code basicAuth(username, password)}
   * @param bearerToken the builder's {@code bearerToken(token)}
   * @param alternatives appended to the refusal of other auth types, such as {@code ", or ..."}; may be empty
   * @throws PolyworkerException for any other auth type, or when a required setting is missing
   */
  public static void apply(EngineConfig config, String engine, BiConsumer<String, String> basicAuth,
      Consumer<String> bearerToken, String alternatives) {
    switch (config.authType()) {
      case "none":
        break;
      case "basic":
        basicAuth.accept(config.require(EngineConfig.USERNAME), config.require(EngineConfig.PASSWORD));
        break;
      case "bearer":
        bearerToken.accept(config.require(EngineConfig.TOKEN));
        break;
      default:
        throw new PolyworkerException("engine " + engine + " does not support auth '" + config.authType()
            + "' (" + EngineConfig.AUTH + "): use none, basic or bearer" + alternatives);
    }
  }
}
