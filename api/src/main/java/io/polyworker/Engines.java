package io.polyworker;

import io.polyworker.spi.EngineProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Configuration-driven engine selection. Explicit construction through an engine module's builder
 * is the main path; use this when the engine is chosen at deployment time.
 */
public final class Engines {
  private Engines() {}

  /**
   * Creates the engine named by {@code polyworker.engine} ({@code POLYWORKER_ENGINE}), using the
   * {@link EngineProvider} that its module registers.
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
    throw new PolyworkerException("unknown engine '" + id + "': add the dependency "
        + "io.polyworker:polyworker-engine-" + id.toLowerCase(java.util.Locale.ROOT)
        + " to the class path (found: " + describe(available) + ")");
  }

  private static String describe(List<String> ids) {
    return ids.isEmpty() ? "none; add io.polyworker:polyworker-engine-camunda, -flowable or -zeebe"
        : String.join(", ", ids);
  }

  private static List<EngineProvider> providers() {
    List<EngineProvider> result = new ArrayList<>();
    ServiceLoader<EngineProvider> loader =
        ServiceLoader.load(EngineProvider.class, Engines.class.getClassLoader());
    var it = loader.iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        result.add(it.next());
      } catch (ServiceConfigurationError e) {
        // A broken provider must not hide the others; it shows up as "not found" instead.
        org.slf4j.LoggerFactory.getLogger("io.polyworker.engines")
            .warn("ignoring an engine provider that cannot be loaded: {}", e.getMessage());
      }
    }
    return result;
  }
}
