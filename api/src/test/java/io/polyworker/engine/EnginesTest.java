package io.polyworker.engine;

import io.polyworker.ProcessClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyworker.PolyworkerException;

import io.polyworker.spi.EngineCapabilities;
import io.polyworker.spi.EngineClient;
import io.polyworker.engine.EngineProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provider lookup as application servers and Spring Boot fat jars need it: the providers live in a
 * class loader that only the thread's context class loader reaches.
 */
class EnginesTest {
  @TempDir Path dir;

  @Test
  void findsAProviderThatOnlyTheContextClassLoaderSees() throws IOException {
    try (URLClassLoader app = appLoader(FirstProvider.class.getName())) {
      Engine engine = withContextLoader(app, () -> Engines.fromConfig(config("test-engine")));
      assertThat(engine.id()).isEqualTo("first");
    }
  }

  @Test
  void warnsWhenTwoProvidersClaimTheSameIdAndUsesTheFirst() throws IOException {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (URLClassLoader app = appLoader(FirstProvider.class.getName(), SecondProvider.class.getName())) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Engine engine = withContextLoader(app, () -> Engines.fromConfig(config("test-engine")));
      assertThat(engine.id()).isEqualTo("first");
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("two engine providers claim the id 'test-engine'")
        .contains(FirstProvider.class.getName()).contains(SecondProvider.class.getName());
  }

  @Test
  void anUnknownEngineIdNamesTheSettingTheKnownIdsTheirArtifactsAndTheNearestId() {
    assertThatThrownBy(() -> Engines.fromConfig(config("camunda7")))
        .isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("unknown engine 'camunda7'")
        .hasMessageContaining("polyworker.engine").hasMessageContaining("POLYWORKER_ENGINE")
        .hasMessageContaining("did you mean 'camunda'?")
        .hasMessageContaining("camunda, flowable, zeebe")
        .hasMessageContaining("io.polyworker:polyworker-engine-camunda,")
        .hasMessageContaining("io.polyworker:polyworker-engine-flowable")
        .hasMessageContaining("io.polyworker:polyworker-engine-zeebe")
        .hasMessageNotContaining("polyworker-engine-camunda7");
    assertThatThrownBy(() -> Engines.fromConfig(config("flowabel")))
        .hasMessageContaining("did you mean 'flowable'?");
    assertThatThrownBy(() -> Engines.fromConfig(config("kafka")))
        .hasMessageContaining("(environment variable POLYWORKER_ENGINE). The known engines are")
        .hasMessageNotContaining("did you mean");
  }

  @Test
  void theNearestIdIsAPrefixOrWithinTwoEdits() {
    assertThat(Engines.nearest("zeebe8", java.util.List.of())).isEqualTo("zeebe");
    assertThat(Engines.nearest("zee", java.util.List.of())).isEqualTo("zeebe");
    assertThat(Engines.nearest("camnuda", java.util.List.of())).isEqualTo("camunda");
    assertThat(Engines.nearest("test-engin", java.util.List.of("test-engine"))).isEqualTo("test-engine");
    assertThat(Engines.nearest("activiti", java.util.List.of())).isNull();
  }

  private static EngineConfig config(String engine) {
    return EngineConfig.fromMap(Map.of(EngineConfig.ENGINE, engine));
  }

  /** A loader whose only own resource is a service file naming {@code providers}. */
  private URLClassLoader appLoader(String... providers) throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(services.resolve(EngineProvider.class.getName()), String.join("\n", providers) + "\n");
    return new URLClassLoader(new URL[] {dir.toUri().toURL()}, EnginesTest.class.getClassLoader());
  }

  private static <T> T withContextLoader(ClassLoader loader, java.util.function.Supplier<T> action) {
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    try {
      return action.get();
    } finally {
      t.setContextClassLoader(before);
    }
  }

  public static final class FirstProvider implements EngineProvider {
    @Override public String id() { return "test-engine"; }
    @Override public Engine create(EngineConfig config) { return new NamedEngine("first"); }
  }

  public static final class SecondProvider implements EngineProvider {
    @Override public String id() { return "TEST-ENGINE"; }
    @Override public Engine create(EngineConfig config) { return new NamedEngine("second"); }
  }

  private record NamedEngine(String id) implements Engine {
    @Override public EngineCapabilities capabilities() { throw new UnsupportedOperationException(); }
    @Override public EngineClient jobClient() { throw new UnsupportedOperationException(); }
    @Override public ProcessClient processClient() { throw new UnsupportedOperationException(); }
    @Override public void close() {}
  }
}
