package io.polyworker.support.internal;

import io.polyworker.engine.EngineConfig;
import io.polyworker.PolyworkerException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * How an {@link io.polyworker.engine.EngineProvider} refuses a setting: a {@link PolyworkerException}
 * that names the key and its environment-variable spelling, so that the same mistake reads the same
 * on every engine. The builders' messages it passes on never quote user info or secrets.
 */
public final class ConfigErrors {
  private ConfigErrors() {}

  /**
   * {@code setting <key> (environment variable <ENV>)<problem>}.
   *
   * @param problem the rest of the sentence, such as {@code ": baseUrl is not an http(s) URL"} or
   *     {@code " must be true or false: yes"}
   */
  public static PolyworkerException invalid(String key, String problem, @Nullable Throwable cause) {
    return new PolyworkerException("setting " + key + " (environment variable "
        + EngineConfig.envName(key) + ")" + problem, cause);
  }

  /**
   * Hands the required setting {@code key} to a builder's setter; an {@link IllegalArgumentException}
   * of the setter becomes {@link #invalid} with its message (and no cause).
   *
   * @throws PolyworkerException when the setting is missing or the setter refuses it
   */
  public static void require(EngineConfig config, String key, Consumer<String> setter) {
    String value = config.require(key);
    try {
      setter.accept(value);
    } catch (IllegalArgumentException e) {
      throw invalid(key, ": " + e.getMessage(), null);
    }
  }
}
