package io.polyworker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One file to deploy: a name ending in {@code .bpmn}, {@code .dmn} or {@code .cmmn} and its bytes.
 * Immutable.
 */
public final class DeploymentResource {
  private final String name;
  private final byte[] content;

  private DeploymentResource(String name, byte[] content) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name is blank");
    }
    this.name = name;
    this.content = Objects.requireNonNull(content, "content").clone();
  }

  /** A resource from bytes. */
  public static DeploymentResource of(String name, byte[] content) {
    return new DeploymentResource(name, content);
  }

  /** A resource from a string (UTF-8). */
  public static DeploymentResource of(String name, String xml) {
    return new DeploymentResource(name, xml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** A resource read from a file; the name is the file name. */
  public static DeploymentResource ofPath(Path path) {
    try {
      return new DeploymentResource(path.getFileName().toString(), Files.readAllBytes(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** A resource from the class path of the calling thread's context class loader. */
  public static DeploymentResource ofClasspath(String resourcePath) {
    String path = resourcePath.startsWith("/") ? resourcePath.substring(1) : resourcePath;
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = DeploymentResource.class.getClassLoader();
    }
    try (InputStream in = loader.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no class path resource " + path);
      }
      String name = path.substring(path.lastIndexOf('/') + 1);
      return new DeploymentResource(name, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read class path resource " + path, e);
    }
  }

  /** The file name. */
  public String name() {
    return name;
  }

  /** A copy of the content. */
  public byte[] content() {
    return content.clone();
  }

  @Override
  public String toString() {
    return "DeploymentResource[" + name + ", " + content.length + " bytes]";
  }
}
