package io.polyworker.testkit.engines;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Finds the self-contained ("exec") jar of an engine server, e.g.
 * {@code polyworker-testkit-camunda-server-0.1.0-exec.jar}, which a {@link LocalEngine} launches.
 *
 * <p>The jar comes onto the test class path as a dependency with classifier {@code exec}; it is used
 * as a file only, never loaded. Thread-safe, no state.
 */
public final class ServerJars {

  private ServerJars() {
  }

  /**
   * The exec jar of server {@code server} (e.g. {@code "camunda-server"}).
   *
   * <p>Looked up in system property {@code polyworker.testkit.<server>.jar} first, then among the
   * entries of the class path ({@code java.class.path}, Surefire's {@code surefire.test.class.path}
   * and the {@code Class-Path} of manifest-only jars) for a file named
   * {@code polyworker-testkit-<server>-*-exec.jar}.
   *
   * @throws IllegalStateException if none is found; the message names the Maven dependency to add
   */
  public static Path find(String server) {
    String property = "polyworker.testkit." + server + ".jar";
    String override = System.getProperty(property);
    if (override != null && !override.isBlank()) {
      Path jar = Path.of(override.trim());
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException("System property " + property + " names " + jar + ", which is not a file");
      }
      return jar;
    }
    String prefix = "polyworker-testkit-" + server + "-";
    for (Path entry : classPathEntries()) {
      String fileName = entry.getFileName() == null ? "" : entry.getFileName().toString();
      if (fileName.startsWith(prefix) && fileName.endsWith("-exec.jar") && Files.isRegularFile(entry)) {
        return entry;
      }
    }
    throw new IllegalStateException("The " + server + " jar is not on the class path. Add this test dependency:\n"
        + "  <dependency>\n"
        + "    <groupId>io.polyworker</groupId>\n"
        + "    <artifactId>polyworker-testkit-" + server + "</artifactId>\n"
        + "    <classifier>exec</classifier>\n"
        + "    <scope>test</scope>\n"
        + "  </dependency>\n"
        + "(polyworker-testkit-engines brings it along unless excluded), or set system property " + property
        + " to the jar's path.");
  }

  private static List<Path> classPathEntries() {
    Set<Path> entries = new LinkedHashSet<>();
    for (String key : List.of("java.class.path", "surefire.test.class.path", "jdk.module.path")) {
      String value = System.getProperty(key);
      if (value == null || value.isBlank()) {
        continue;
      }
      for (String part : value.split(File.pathSeparator)) {
        if (!part.isBlank()) {
          entries.add(Path.of(part).toAbsolutePath());
        }
      }
    }
    List<Path> withManifests = new ArrayList<>(entries);
    for (Path entry : entries) {
      withManifests.addAll(manifestClassPath(entry));
    }
    return withManifests;
  }

  /** The {@code Class-Path} of a manifest-only jar, as Surefire uses to launch tests. */
  private static List<Path> manifestClassPath(Path jar) {
    if (!jar.toString().endsWith(".jar") || !Files.isRegularFile(jar)) {
      return List.of();
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
      if (classPath == null) {
        return List.of();
      }
      List<Path> paths = new ArrayList<>();
      for (String url : classPath.trim().split("\\s+")) {
        try {
          URI uri = jar.toUri().resolve(url);
          if ("file".equals(uri.getScheme())) {
            paths.add(Path.of(uri));
          }
        } catch (IllegalArgumentException e) {
          // not a file URL: not our jar
        }
      }
      return paths;
    } catch (IOException e) {
      return List.of();
    }
  }
}
