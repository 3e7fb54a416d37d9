package io.polyworker.testkit.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JavaRuntimesAndServerJarsTest {

  @Test
  void parsesReleaseVersions() {
    assertEquals(Optional.of(17), JavaRuntimes.parseFeature("17.0.15"));
    assertEquals(Optional.of(21), JavaRuntimes.parseFeature("21"));
    assertEquals(Optional.of(25), JavaRuntimes.parseFeature("25+36"));
    assertEquals(Optional.of(8), JavaRuntimes.parseFeature("1.8.0_392"));
    assertEquals(Optional.empty(), JavaRuntimes.parseFeature("abc"));
  }

  @Test
  void findsTheCurrentJavaAndANewerOneWhenAsked() {
    assertTrue(Files.isExecutable(JavaRuntimes.current()));
    Path java = JavaRuntimes.findJava(Runtime.version().feature());
    assertTrue(Files.isExecutable(java), java.toString());
    Optional<Integer> version = JavaRuntimes.featureVersion(java.getParent().getParent());
    assertTrue(version.orElse(0) >= Runtime.version().feature(), java + " " + version);
  }

  @Test
  void namesWhatToInstallWhenNoJavaQualifies() {
    IllegalStateException failure = assertThrows(IllegalStateException.class, () -> JavaRuntimes.findJava(999));
    assertTrue(failure.getMessage().contains("Install a JDK 999"), failure.getMessage());
  }

  @Test
  void findsTheCamundaServerJarAndNamesTheDependencyOtherwise() {
    Path jar = ServerJars.find(LocalCamunda.SERVER);
    assertTrue(jar.getFileName().toString().endsWith("-exec.jar"), jar.toString());

    IllegalStateException failure = assertThrows(IllegalStateException.class, () -> ServerJars.find("nope-server"));
    assertTrue(failure.getMessage().contains("<artifactId>polyworker-testkit-nope-server</artifactId>"),
        failure.getMessage());
  }

  /**
   * The server jars sit on the test class path of every project that uses the kit, Spring Boot
   * applications included: nothing at their root may be read by Spring (auto-configurations,
   * factories), or a user's own Spring Boot test would try to load the server's classes.
   */
  @Test
  void serverJarsPutNothingForSpringOnTheClassPath() throws Exception {
    for (String server : new String[] {LocalCamunda.SERVER, LocalOperaton.SERVER, LocalFlowable.SERVER,
        LocalZeebe.SERVER}) {
      try (JarFile jar = new JarFile(ServerJars.find(server).toFile())) {
        String springEntries = jar.stream().map(e -> e.getName())
            .filter(n -> n.startsWith("META-INF/spring/") && !n.endsWith("/") || n.equals("META-INF/spring.factories"))
            .collect(Collectors.joining(", "));
        assertEquals("", springEntries, server + " jar root");
      }
    }
  }
}
