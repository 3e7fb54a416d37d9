package io.polyworker.engine;

import io.polyworker.PolyworkerException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
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
 *
 * <p><b>Several engines</b> (one worker over the engines of a migration, see
 * {@link Engines#allFromConfig(EngineConfig)}): instead of {@code polyworker.engine}, list the
 * engines, and write each common key once per engine, with the engine id after {@code polyworker.}:
 *
 * <table>
 *   <caption>Multi-engine keys</caption>
 *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code polyworker.engines}</td><td>comma-separated engine ids, such as {@code camunda,zeebe}
 *       ({@code POLYWORKER_ENGINES}); each id once; not together with {@code polyworker.engine}</td>
 *       <td>none: one engine, chosen by {@code polyworker.engine}</td></tr>
 *   <tr><td>{@code polyworker.<id>.url}</td><td>that engine's {@code polyworker.url}
 *       ({@code POLYWORKER_CAMUNDA_URL}, {@code POLYWORKER_ZEEBE_URL}, ...)</td><td>none: required</td></tr>
 *   <tr><td>{@code polyworker.<id>.auth}, {@code .username}, {@code .password}, {@code .token},
 *       {@code .oauth.token-url}, {@code .oauth.client-id}, {@code .oauth.client-secret},
 *       {@code .oauth.audience}, {@code .oauth.scope}</td><td>that engine's common key of the same name
 *       ({@code POLYWORKER_ZEEBE_OAUTH_CLIENT_ID}, ...)</td><td>as for the common key</td></tr>
 * </table>
 *
 * <p>With {@code polyworker.engines} set, the single-engine spellings of the common keys
 * ({@code polyworker.url}, {@code polyworker.password}, ...) are refused rather than shared, so that
 * no engine silently talks to another engine's address. Engine-specific keys keep their names
 * ({@code polyworker.zeebe.plaintext}, {@code polyworker.flowable.process-api-path}): none of the
 * keys the shipped engine modules read is spelt like a per-engine common key (Camunda reads only
 * common keys; Zeebe's {@code plaintext}, {@code ca-certificate-path}, {@code streaming},
 * {@code long-polling} and {@code request-timeout} and Flowable's {@code process-api-path} and
 * {@code external-job-api-path} are no common key's name), so an engine-specific key is never taken
 * for a common one. {@link #forEngine(String)} shows what one engine reads.
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

  /** Engine ids key of a multi-engine configuration, such as {@code camunda,zeebe}. */
  public static final String ENGINES = "polyworker.engines";

  /**
   * The common keys, which a multi-engine configuration writes once per engine
   * ({@code polyworker.<id>.<key>}); {@link #ENGINE} is not among them.
   */
  public static final List<String> COMMON_KEYS = List.of(URL, AUTH, USERNAME, PASSWORD, TOKEN,
      OAUTH_TOKEN_URL, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_AUDIENCE, OAUTH_SCOPE);

  private static final String PREFIX = "polyworker.";

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

  /**
   * The engine ids of {@code polyworker.engines} ({@code POLYWORKER_ENGINES}): trimmed, lower case,
   * in the order written; empty when the key is unset (a single-engine configuration).
   *
   * @throws PolyworkerException naming the key when an id is listed twice or an entry is empty
   */
  public List<String> engines() {
    String listed = get(ENGINES);
    if (listed == null) {
      return List.of();
    }
    Set<String> ids = new LinkedHashSet<>();
    for (String part : listed.split(",", -1)) {
      String id = part.strip().toLowerCase(Locale.ROOT);
      if (id.isEmpty()) {
        throw new PolyworkerException("setting " + ENGINES + " (environment variable "
            + envName(ENGINES) + ") has an empty entry: list engine ids separated by commas, such as"
            + " camunda,zeebe");
      }
      if (!ids.add(id)) {
        throw new PolyworkerException("setting " + ENGINES + " (environment variable "
            + envName(ENGINES) + ") lists the engine '" + id + "' twice: each engine once");
      }
    }
    return List.copyOf(ids);
  }

  /**
   * The per-engine spelling of a common key: {@code perEngineKey("zeebe", EngineConfig.URL)} is
   * {@code polyworker.zeebe.url}; its environment-variable spelling ({@link #envName}) is
   * {@code POLYWORKER_ZEEBE_URL}.
   *
   * @throws IllegalArgumentException when {@code commonKey} is not one of {@link #COMMON_KEYS}
   */
  public static String perEngineKey(String engineId, String commonKey) {
    if (!COMMON_KEYS.contains(commonKey)) {
      throw new IllegalArgumentException("not a common key: " + commonKey);
    }
    return PREFIX + engineId.strip().toLowerCase(Locale.ROOT) + "." + commonKey.substring(PREFIX.length());
  }

  /**
   * The settings one engine of a multi-engine configuration reads, as a single-engine
   * configuration: {@code polyworker.engine=<id>}; each common key ({@link #COMMON_KEYS}) taken from
   * its per-engine spelling {@code polyworker.<id>.<key>} (the single-engine spellings are dropped,
   * and so are {@code polyworker.engines} and this engine's per-engine spellings); every other key,
   * engine-specific ones such as {@code polyworker.zeebe.plaintext} included, unchanged. Does not
   * check that {@code id} is listed in {@code polyworker.engines}.
   *
   * @param id an engine id such as {@code zeebe}
   */
  public EngineConfig forEngine(String id) {
    String engineId = id.strip().toLowerCase(Locale.ROOT);
    if (engineId.isEmpty()) {
      throw new IllegalArgumentException("engine id is empty");
    }
    Map<String, String> copy = new TreeMap<>(values);
    copy.remove(ENGINES);
    for (String key : COMMON_KEYS) {
      copy.remove(normalize(key));
      copy.remove(normalize(perEngineKey(engineId, key)));
    }
    for (String key : COMMON_KEYS) {
      String value = get(perEngineKey(engineId, key));
      if (value != null) {
        copy.put(normalize(key), value);
      }
    }
    copy.put(normalize(ENGINE), engineId);
    return new EngineConfig(copy);
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
