package io.polyworker.engine;

import io.polyworker.PolyworkerException;
import io.polyworker.engine.EngineProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration-driven engine selection. Explicit construction through an engine module's builder
 * is the main path; use this when the engine is chosen at deployment time.
 */
public final class Engines {
  private static final Logger LOG = LoggerFactory.getLogger("io.polyworker.engines");

  /** The engines Polyworker ships, with the artifact that registers each. */
  private static final Map<String, String> KNOWN = new LinkedHashMap<>();

  static {
    KNOWN.put("camunda", "io.polyworker:polyworker-engine-camunda");
    KNOWN.put("flowable", "io.polyworker:polyworker-engine-flowable");
    KNOWN.put("zeebe", "io.polyworker:polyworker-engine-zeebe");
  }

  private Engines() {}

  /**
   * Creates the engine named by {@code polyworker.engine} ({@code POLYWORKER_ENGINE}), using the
   * {@link EngineProvider} that its module registers. Providers are looked up through the thread's
   * context class loader first, then through the class loader of this class; if two provider
   * classes claim the same id, the first found is used and a warning names both.
   *
   * @throws PolyworkerException when no engine is named, or the named engine's module is not on the
   *     class path (the message names the artifact to add)
   */
  public static Engine fromConfig(EngineConfig config) {
    String id = config.engine();
    if (config.get(EngineConfig.ENGINES) != null) {
      if (id != null) {
        throw bothSet();
      }
      throw new PolyworkerException("setting " + EngineConfig.ENGINES + " (environment variable "
          + EngineConfig.envName(EngineConfig.ENGINES) + ") lists several engines: create them with"
          + " Engines.allFromConfig, or name one engine in " + EngineConfig.ENGINE + " instead");
    }
    List<String> available = new ArrayList<>();
    for (EngineProvider provider : providers()) {
      if (id != null && provider.id().equalsIgnoreCase(id)) {
        return provider.create(config);
      }
      available.add(provider.id());
    }
    if (id == null) {
      throw new PolyworkerException("no engine selected: set " + EngineConfig.ENGINE
          + " (environment variable POLYWORKER_ENGINE) to one of " + describe(available));
    }
    String nearest = nearest(id.toLowerCase(Locale.ROOT), available);
    throw new PolyworkerException("unknown engine '" + id + "' in setting " + EngineConfig.ENGINE
        + " (environment variable " + EngineConfig.envName(EngineConfig.ENGINE) + ")"
        + (nearest == null ? "." : ": did you mean '" + nearest + "'?")
        + " The known engines are " + String.join(", ", KNOWN.keySet()) + ", each in its own module ("
        + String.join(", ", KNOWN.values()) + "); on the class path: " + onClassPath(available));
  }

  /**
   * Creates every engine of a configuration. With {@code polyworker.engines}
   * ({@code POLYWORKER_ENGINES}) set, one engine per listed id, in the order listed, each made by
   * {@link #fromConfig(EngineConfig)} from {@link EngineConfig#forEngine(String)}: its common keys
   * are read as {@code polyworker.<id>.<key>} ({@code POLYWORKER_ZEEBE_URL}, ...). Without it, the
   * one engine of {@link #fromConfig(EngineConfig)}. The caller owns the engines and closes each.
   *
   * @return the engines, at least one; immutable
   * @throws PolyworkerException when {@code polyworker.engine} is set too, when a single-engine
   *     spelling of a common key ({@code polyworker.url}, ...) is set with {@code polyworker.engines},
   *     when an id is listed twice, or when an engine cannot be created: the message names the engine
   *     of the list and the per-engine key ({@code polyworker.zeebe.url} /
   *     {@code POLYWORKER_ZEEBE_URL}); the engines already created are closed first
   */
  public static List<Engine> allFromConfig(EngineConfig config) {
    List<String> ids = config.engines();
    if (ids.isEmpty()) {
      return List.of(fromConfig(config));
    }
    if (config.engine() != null) {
      throw bothSet();
    }
    for (String key : EngineConfig.COMMON_KEYS) {
      if (config.get(key) != null) {
        throw new PolyworkerException("setting " + key + " (environment variable "
            + EngineConfig.envName(key) + ") is not read when " + EngineConfig.ENGINES
            + " is set: write it once per engine, as " + EngineConfig.perEngineKey("<id>", key)
            + " (such as " + EngineConfig.perEngineKey(ids.get(0), key) + " / "
            + EngineConfig.envName(EngineConfig.perEngineKey(ids.get(0), key)) + ")");
      }
    }
    List<Engine> made = new ArrayList<>();
    try {
      for (String id : ids) {
        made.add(create(config.forEngine(id), id, ids));
      }
    } catch (RuntimeException e) {
      for (int i = made.size() - 1; i >= 0; i--) {
        try {
          made.get(i).close();
        } catch (RuntimeException closing) {
          e.addSuppressed(closing);
        }
      }
      throw e;
    }
    return List.copyOf(made);
  }

  /** One engine of a multi-engine configuration; failures name the engine and per-engine keys. */
  private static Engine create(EngineConfig one, String id, List<String> ids) {
    String which = "engine '" + id + "' of " + EngineConfig.ENGINES + " (" + String.join(",", ids) + "): ";
    try {
      if (provider(id) != null && one.get(EngineConfig.URL) == null) {
        String key = EngineConfig.perEngineKey(id, EngineConfig.URL);
        throw new PolyworkerException(which + "missing setting " + key + " (environment variable "
            + EngineConfig.envName(key) + ")");
      }
      return fromConfig(one);
    } catch (PolyworkerException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(which)) {
        throw e;
      }
      throw new PolyworkerException(which + perEngineSpelling(id, String.valueOf(e.getMessage())), e);
    } catch (RuntimeException e) {
      throw new PolyworkerException(which + perEngineSpelling(id, String.valueOf(e.getMessage())), e);
    }
  }

  /**
   * A provider's message with the single-engine spellings of the keys it names
   * ({@code polyworker.url}, {@code POLYWORKER_URL}, {@code polyworker.engine}) replaced by what the
   * user wrote ({@code polyworker.zeebe.url}, {@code POLYWORKER_ZEEBE_URL}, {@code polyworker.engines}).
   */
  static String perEngineSpelling(String id, String message) {
    String result = message;
    for (String key : EngineConfig.COMMON_KEYS) {
      String perEngine = EngineConfig.perEngineKey(id, key);
      result = replaceKey(result, key, perEngine);
      result = replaceKey(result, EngineConfig.envName(key), EngineConfig.envName(perEngine));
    }
    result = replaceKey(result, EngineConfig.ENGINE, EngineConfig.ENGINES);
    return replaceKey(result, EngineConfig.envName(EngineConfig.ENGINE),
        EngineConfig.envName(EngineConfig.ENGINES));
  }

  /** Replaces {@code key} where it stands as a whole key, not as part of a longer one. */
  private static String replaceKey(String text, String key, String replacement) {
    return text.replaceAll("(?<![\\w.-])" + Pattern.quote(key) + "(?![\\w-]|\\.\\w)",
        Matcher.quoteReplacement(replacement));
  }

  private static PolyworkerException bothSet() {
    return new PolyworkerException("both " + EngineConfig.ENGINE + " ("
        + EngineConfig.envName(EngineConfig.ENGINE) + ") and " + EngineConfig.ENGINES + " ("
        + EngineConfig.envName(EngineConfig.ENGINES) + ") are set: remove " + EngineConfig.ENGINE
        + " to run on the engines listed, or remove " + EngineConfig.ENGINES + " to run on one engine");
  }

  private static @Nullable EngineProvider provider(String id) {
    for (EngineProvider provider : providers()) {
      if (provider.id().equalsIgnoreCase(id)) {
        return provider;
      }
    }
    return null;
  }

  private static String describe(List<String> ids) {
    return ids.isEmpty() ? "none; add io.polyworker:polyworker-engine-camunda, -flowable or -zeebe"
        : String.join(", ", ids);
  }

  private static String onClassPath(List<String> ids) {
    return ids.isEmpty() ? "none" : String.join(", ", ids);
  }

  /**
   * The known or available id {@code id} most likely meant: one that {@code id} starts with or that
   * starts with {@code id} ({@code camunda7}, {@code zee}), else the one within two edits; null when
   * none is that close.
   */
  static @Nullable String nearest(String id, List<String> available) {
    List<String> candidates = new ArrayList<>(KNOWN.keySet());
    for (String a : available) {
      if (!candidates.contains(a.toLowerCase(Locale.ROOT))) {
        candidates.add(a.toLowerCase(Locale.ROOT));
      }
    }
    for (String c : candidates) {
      if (!id.isEmpty() && (id.startsWith(c) || c.startsWith(id))) {
        return c;
      }
    }
    @Nullable String best = null;
    int bestDistance = 3;
    for (String c : candidates) {
      int d = distance(id, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /**
   * The providers the thread's context class loader finds (application servers, Spring Boot fat
   * jars), then those this class's loader finds; each provider class once. When two provider classes
   * claim the same id, the first one found is used and a warning names both.
   */
  private static List<EngineProvider> providers() {
    Map<String, EngineProvider> byClass = new LinkedHashMap<>();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      load(context, byClass);
    }
    load(Engines.class.getClassLoader(), byClass);
    Map<String, EngineProvider> byId = new LinkedHashMap<>();
    for (EngineProvider provider : byClass.values()) {
      String id = provider.id().toLowerCase(Locale.ROOT);
      EngineProvider first = byId.putIfAbsent(id, provider);
      if (first != null) {
        LOG.warn("two engine providers claim the id '{}': {} and {}; using {}", id,
            first.getClass().getName(), provider.getClass().getName(), first.getClass().getName());
      }
    }
    return new ArrayList<>(byId.values());
  }

  private static void load(ClassLoader loader, Map<String, EngineProvider> into) {
    var it = ServiceLoader.load(EngineProvider.class, loader).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          return;
        }
        EngineProvider provider = it.next();
        into.putIfAbsent(provider.getClass().getName(), provider);
      } catch (ServiceConfigurationError e) {
        // A broken provider must not hide the others; it shows up as "not found" instead.
        LOG.warn("ignoring an engine provider that cannot be loaded: {}", e.getMessage());
      }
    }
  }
}
