package io.polyworker.engine;

import io.polyworker.PolyworkerException;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Engine settings as plain strings, for configuration-driven selection with
 * {@link Engines#fromConfig(EngineConfig)}. Immutable and thread-safe.
 *
 * <p>Keys are written {@code polyworker.url}; the same key as an environment variable is
 * {@code POLYWORKER_URL} (upper case, dots and dashes as underscores). The keys every engine reads:
 *
 * <table>
 *   <caption>Common keys</caption>
 *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code polyworker.engine}</td><td>{@code camunda}, {@code flowable} or {@code zeebe}</td><td>none: required</td></tr>
 *   <tr><td>{@code polyworker.url}</td><td>Camunda: the {@code .../engine-rest} URL; Flowable: the server root
 *       (with {@code /process-api} and {@code /external-job-api} below it); Zeebe: the gRPC address</td><td>none: required</td></tr>
 *   <tr><td>{@code polyworker.auth}</td><td>{@code none}, {@code basic}, {@code bearer} or {@code oauth2}</td>
 *       <td>{@code basic} when a username is set, {@code bearer} when a token is set, {@code oauth2} when a client id is set, else {@code none}</td></tr>
 *   <tr><td>{@code polyworker.username} / {@code polyworker.password}</td><td>basic auth</td><td>none</td></tr>
 *   <tr><td>{@code polyworker.token}</td><td>static bearer token</td><td>none</td></tr>
 *   <tr><td>{@code polyworker.oauth.token-url}, {@code .client-id}, {@code .client-secret}, {@code .audience}, {@code .scope}</td>
 *       <td>OAuth2 client credentials</td><td>none</td></tr>
 * </table>
 *
 * <p>Engine modules document their own further keys (such as {@code polyworker.zeebe.plaintext}).
 * {@link #toString()} never shows passwords, tokens or client secrets, nor the user info of a URL
 * ({@code https://user:password@host}, which every engine refuses: use the auth keys instead).
 */
public final class EngineConfig {
  /** Engine id key. */
  public static final String ENGINE = "polyworker.engine";
  /** Engine URL key. */
  public static final String URL = "polyworker.url";
  /** Auth type key. */
  public static final String AUTH = "polyworker.auth";
  /** Basic-auth user name key. */
  public static final String USERNAME = "polyworker.username";
  /** Basic-auth password key (secret). */
  public static final String PASSWORD = "polyworker.password";
  /** Bearer token key (secret). */
  public static final String TOKEN = "polyworker.token";
  /** OAuth2 token endpoint key. */
  public static final String OAUTH_TOKEN_URL = "polyworker.oauth.token-url";
  /** OAuth2 client id key. */
  public static final String OAUTH_CLIENT_ID = "polyworker.oauth.client-id";
  /** OAuth2 client secret key (secret). */
  public static final String OAUTH_CLIENT_SECRET = "polyworker.oauth.client-secret";
  /** OAuth2 audience key. */
  public static final String OAUTH_AUDIENCE = "polyworker.oauth.audience";
  /** OAuth2 scope key. */
  public static final String OAUTH_SCOPE = "polyworker.oauth.scope";

  private static final Set<String> SECRET_WORDS = Set.of("password", "secret", "token");

  private final Map<String, String> values;

  private EngineConfig(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /**
   * Reads every {@code POLYWORKER_*} environment variable and every {@code polyworker.*} system
   * property; system properties win.
   */
  public static EngineConfig fromEnvironment() {
    Map<String, String> values = new TreeMap<>();
    System.getenv().forEach((k, v) -> put(values, k, v));
    System.getProperties().forEach((k, v) -> put(values, String.valueOf(k), String.valueOf(v)));
    return new EngineConfig(values);
  }

  /** Takes settings from a map; keys may be written either way ({@code polyworker.url} or {@code POLYWORKER_URL}). */
  public static EngineConfig fromMap(Map<String, String> map) {
    Map<String, String> values = new TreeMap<>();
    map.forEach((k, v) -> put(values, k, v));
    return new EngineConfig(values);
  }

  private static void put(Map<String, String> values, String key, @Nullable String value) {
    String normalized = normalize(key);
    if (normalized.startsWith("polyworker.") && value != null && !value.isBlank()) {
      values.put(normalized, value.strip());
    }
  }

  /** {@code POLYWORKER_OAUTH_CLIENT_ID} and {@code polyworker.oauth.client-id} both become {@code polyworker.oauth.client.id}. */
  private static String normalize(String key) {
    return key.toLowerCase(Locale.ROOT).replace('_', '.').replace('-', '.');
  }

  /** The same settings with one more (or a replaced) value. */
  public EngineConfig with(String key, String value) {
    Map<String, String> copy = new TreeMap<>(values);
    put(copy, key, value);
    return new EngineConfig(copy);
  }

  /** The value of a key (either spelling), or null. */
  public @Nullable String get(String key) {
    return values.get(normalize(key));
  }

  /**
   * The value of a key.
   *
   * @throws PolyworkerException naming the key and its environment-variable spelling when absent
   */
  public String require(String key) {
    String value = get(key);
    if (value == null) {
      throw new PolyworkerException("missing setting " + key + " (environment variable "
          + envName(key) + ")");
    }
    return value;
  }

  /** The environment-variable spelling of a key. */
  public static String envName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The engine id, or null. */
  public @Nullable String engine() {
    return get(ENGINE);
  }

  /** The auth type after defaults: {@code none}, {@code basic}, {@code bearer} or {@code oauth2}. */
  public String authType() {
    String explicit = get(AUTH);
    if (explicit != null) {
      return explicit.toLowerCase(Locale.ROOT);
    }
    if (get(USERNAME) != null) {
      return "basic";
    }
    if (get(TOKEN) != null) {
      return "bearer";
    }
    if (get(OAUTH_CLIENT_ID) != null) {
      return "oauth2";
    }
    return "none";
  }

  /** All settings, keys normalized (secrets included: do not log this map). */
  public Map<String, String> asMap() {
    return values;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("EngineConfig{");
    String sep = "";
    for (Map.Entry<String, String> e : values.entrySet()) {
      sb.append(sep).append(e.getKey()).append('=');
      sb.append(isSecret(e.getKey()) ? "****"
          : e.getKey().endsWith(".url") ? withoutUserInfo(e.getValue()) : e.getValue());
      sep = ", ";
    }
    return sb.append('}').toString();
  }

  /**
   * The URL with whatever stands before an {@code @} in its authority replaced by {@code ****}, for
   * messages and {@code toString()}; works on text that does not parse as a URL, too. Engine modules
   * use it wherever an address appears in a message.
   */
  public static String withoutUserInfo(String url) {
    int scheme = url.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    int at = url.lastIndexOf('@', end - 1);
    return at < start ? url : url.substring(0, start) + "****@" + url.substring(at + 1);
  }

  private static boolean isSecret(String key) {
    for (String word : SECRET_WORDS) {
      if (key.contains(word)) {
        return true;
      }
    }
    return false;
  }
}
