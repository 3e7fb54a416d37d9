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
