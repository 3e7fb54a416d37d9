package io.polyworker.testkit.containers;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;

/** The containers the {@code shared()} methods hand out: one per kind and JVM, started on first use. */
final class SharedContainers {

  private static final Logger LOG = LoggerFactory.getLogger("io.polyworker.testkit");
  private static final Map<Class<?>, GenericContainer<?>> STARTED = new HashMap<>();

  private SharedContainers() {}

  /**
   * The started container of this kind, made by {@code create} and started on the first call. It is
   * stopped when the JVM exits (and removed by Testcontainers' own reaper if the JVM dies first).
   */
  static synchronized <C extends GenericContainer<?>> C of(Class<C> kind, Supplier<C> create) {
    GenericContainer<?> known = STARTED.get(kind);
    if (known != null) {
      return kind.cast(known);
    }
    C made = create.get();
    long startedAt = System.nanoTime();
    made.start();
    LOG.info("{} ({}) ready in {} ms", kind.getSimpleName(), made.getDockerImageName(),
        (System.nanoTime() - startedAt) / 1_000_000);
    Runtime.getRuntime().addShutdownHook(new Thread(made::stop, "polyworker-shared-container-shutdown"));
    STARTED.put(kind, made);
    return made;
  }
}
