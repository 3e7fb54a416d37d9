package io.polyworker.testkit.engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Finds a {@code java} executable to launch a local engine's child JVM with.
 *
 * <p>Most engines run on the JVM that runs the tests ({@link #current()}). Some need a newer runtime
 * than the build (the Zeebe engine jars are Java 21 bytecode); {@link #findJava(int)} looks for one
 * among the installed JDKs.
 *
 * <p>All methods are thread-safe and side-effect free.
 */
public final class JavaRuntimes {

  /**
   * System property naming a Java home (the directory that holds {@code bin/java}) to prefer in
   * {@link #findJava(int)}: {@value}.
   */
  public static final String JAVA_HOME_OVERRIDE_PROPERTY = "polyworker.java21.home";

  private static final List<Path> JVM_ROOTS = List.of(
      Path.of("/usr/lib/jvm"),
      Path.of("/usr/java"),
      Path.of("/opt/java"),
      Path.of("/Library/Java/JavaVirtualMachines"),
      Path.of(System.getProperty("user.home"), ".sdkman", "candidates", "java"));

  private JavaRuntimes() {
  }

  /** The {@code java} executable of the JVM running this code. */
  public static Path current() {
    return executable(Path.of(System.getProperty("java.home")));
  }

  /**
   * A {@code java} executable whose feature version is at least {@code minimumFeatureVersion}.
   *
   * <p>Looked up in this order, the first match wins:
   * <ol>
   *   <li>the Java home in system property {@value #JAVA_HOME_OVERRIDE_PROPERTY}, if set (it must
   *       qualify, otherwise this method fails rather than silently picking another JDK);</li>
   *   <li>the {@code JAVA_HOME} environment variable;</li>
   *   <li>the JVM running this code;</li>
   *   <li>the newest qualifying JDK installed under {@code /usr/lib/jvm} (also {@code /usr/java},
   *       {@code /opt/java}, {@code /Library/Java/JavaVirtualMachines}, {@code ~/.sdkman/candidates/java}),
   *       its version read from the {@code release} file of each Java home.</li>
   * </ol>
   *
   * @throws IllegalStateException if no installed runtime qualifies; the message says what to install
   */
  public static Path findJava(int minimumFeatureVersion) {
    if (minimumFeatureVersion < 1) {
      throw new IllegalArgumentException("minimumFeatureVersion < 1: " + minimumFeatureVersion);
    }
    String override = System.getProperty(JAVA_HOME_OVERRIDE_PROPERTY);
    if (override != null && !override.isBlank()) {
      Path home = Path.of(override.trim());
      int version = featureVersion(home).orElse(-1);
      if (version < minimumFeatureVersion || !Files.isExecutable(executable(home))) {
        throw new IllegalStateException("System property " + JAVA_HOME_OVERRIDE_PROPERTY + "=" + home
            + " is not a Java " + minimumFeatureVersion + "+ home (found version "
            + (version < 0 ? "unknown" : version) + ")");
      }
      return executable(home);
    }
    String javaHomeEnv = System.getenv("JAVA_HOME");
    if (javaHomeEnv != null && !javaHomeEnv.isBlank()) {
      Path home = Path.of(javaHomeEnv.trim());
      if (featureVersion(home).orElse(-1) >= minimumFeatureVersion && Files.isExecutable(executable(home))) {
        return executable(home);
      }
    }
    if (Runtime.version().feature() >= minimumFeatureVersion) {
      return current();
    }
    Path best = null;
    int bestVersion = -1;
    List<Path> seen = new ArrayList<>();
    for (Path root : JVM_ROOTS) {
      for (Path home : javaHomesUnder(root)) {
        seen.add(home);
        int version = featureVersion(home).orElse(-1);
        if (version >= minimumFeatureVersion && version > bestVersion && Files.isExecutable(executable(home))) {
          best = home;
          bestVersion = version;
        }
      }
    }
    if (best != null) {
      return executable(best);
    }
    throw new IllegalStateException("No Java " + minimumFeatureVersion + "+ runtime found. Install a JDK "
        + minimumFeatureVersion + " or newer (e.g. Eclipse Temurin " + Math.max(minimumFeatureVersion, 21)
        + ") under /usr/lib/jvm, or point system property " + JAVA_HOME_OVERRIDE_PROPERTY
        + " or JAVA_HOME at one. This JVM is " + Runtime.version().feature() + "; JDKs looked at: " + seen);
  }

  /**
   * The feature version (17, 21, ...) of the Java home {@code javaHome}, read from its {@code release}
   * file; empty if there is no readable release file.
   */
  static Optional<Integer> featureVersion(Path javaHome) {
    Path release = javaHome.resolve("release");
    if (!Files.isRegularFile(release)) {
      return Optional.empty();
    }
    Properties properties = new Properties();
    try (var reader = Files.newBufferedReader(release)) {
      properties.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
    String value = properties.getProperty("JAVA_VERSION");
    if (value == null) {
      return Optional.empty();
    }
    return parseFeature(value.replace("\"", "").trim());
  }

  static Optional<Integer> parseFeature(String version) {
    String[] parts = version.split("[.+\\-_]");
    try {
      int first = Integer.parseInt(parts[0]);
      if (first == 1 && parts.length > 1) {
        return Optional.of(Integer.parseInt(parts[1])); // 1.8.0_392 -> 8
      }
      return Optional.of(first);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static List<Path> javaHomesUnder(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(root)) {
      List<Path> homes = new ArrayList<>();
      for (Path child : (Iterable<Path>) children.sorted()::iterator) {
        Path macHome = child.resolve("Contents").resolve("Home");
        homes.add(Files.isDirectory(macHome) ? macHome : child);
      }
      return homes;
    } catch (IOException e) {
      return List.of(); // an unreadable directory holds no usable JDK
    }
  }

  private static Path executable(Path javaHome) {
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
    return javaHome.resolve("bin").resolve(windows ? "java.exe" : "java");
  }
}
