package io.polyworker.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.polyworker.DeploymentResource;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessResult;
import io.polyworker.StartProcess;
import io.polyworker.spring.PolyworkerProperties;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.worker.JobWorker;
import io.polyworker.worker.SubscriptionState;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * Keeps the main README's "Spring Boot" section true: its dependency names the starter of this
 * build, every key of its {@code application.yaml} binds to the starter's properties, and its
 * handler compiles as written and, with those properties, completes a job of the README's Camunda
 * model on a real engine.
 */
class SpringBootReadmeTest {
  private static final Path ROOT = Path.of("../..");
  private static final Pattern FENCE = Pattern.compile("(?ms)^```(\\w+)\\n(.*?)^```");

  @TempDir Path dir;

  /** The one README block of this language that contains {@code marker}. */
  private static String block(String language, String marker) throws IOException {
    Matcher m = FENCE.matcher(Files.readString(ROOT.resolve("README.md")));
    List<String> found = new ArrayList<>();
    while (m.find()) {
      if (m.group(1).equals(language) && m.group(2).contains(marker)) {
        found.add(m.group(2));
      }
    }
    assertThat(found).as("README ```%s blocks containing %s", language, marker).hasSize(1);
    return found.get(0);
  }

  private static String element(String xml, String name) {
    Matcher m = Pattern.compile("<" + name + ">\\s*([^<]+?)\\s*</" + name + ">").matcher(xml);
    assertThat(m.find()).as("<%s> in %s", name, xml).isTrue();
    return m.group(1);
  }

  @Test
  void theDependencyIsTheStarterOfThisBuild() throws IOException {
    String dependency = block("xml", "spring-boot-starter");
    String starterPom = Files.readString(ROOT.resolve("spring-boot-starter/pom.xml"));
    String rootPom = Files.readString(ROOT.resolve("pom.xml"));
    // The first <artifactId> of a module's pom is its parent's, the second its own; the first <version> is the build's.
    Matcher artifactIds = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(starterPom);
    assertThat(artifactIds.find() && artifactIds.find()).isTrue();
    assertThat(element(dependency, "groupId")).isEqualTo(element(rootPom, "groupId"));
    assertThat(element(dependency, "artifactId")).isEqualTo(artifactIds.group(1));
    assertThat(element(dependency, "version")).isEqualTo(element(rootPom, "version"));
  }

  @Test
  void thePropertiesBindAndTheHandlerCompletesAJob() throws Exception {
    Map<String, Object> properties = yaml(block("yaml", "polyworker:"));
    assertNoUnknownKey(properties);
    properties.put("polyworker.url", LocalCamunda.shared().restUrl()); // the README's server, here
    properties.put("polyworker.worker.long-poll-timeout", "1s"); // a quicker close
    List<String> args = new ArrayList<>();
    // Command-line arguments, above any other source; no application.yaml (this module's own is for the example).
    args.add("--spring.config.name=readme-snippet");
    args.add("--spring.main.banner-mode=off");
    properties.forEach((k, v) -> args.add("--" + k + "=" + v));

    String source = block("java", "@JobSubscription");
    Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
    assertThat(name.find()).as("a public class in the README's handler").isTrue();
    try (URLClassLoader handlerClasses = compile(name.group(1), source);
         ConfigurableApplicationContext context = new SpringApplicationBuilder(AutoConfigured.class,
             handlerClasses.loadClass(name.group(1))).web(WebApplicationType.NONE)
             .run(args.toArray(String[]::new))) {
      JobWorker worker = context.getBean(JobWorker.class);
      assertThat(worker.subscriptions()).extracting(SubscriptionState::topic, SubscriptionState::slotLimit)
          .containsExactly(tuple("charge-card", 16));
      ProcessClient processes = context.getBean(ProcessClient.class);
      processes.deploy(DeploymentResource.of("charge.bpmn",
          block("xml", "\"http://camunda.org/schema/1.0/bpmn\"")));
      ProcessResult charged = processes.startProcessAndAwait(StartProcess.of("charge")
          .withVariables(Map.of("order", Map.of("id", "A-1", "total", 120))), Duration.ofSeconds(60));
      assertThat(charged.variables()).containsEntry("charged", true);
    }
  }

  /** The README's YAML as flat property names and values, as Spring Boot reads application.yaml. */
  private static Map<String, Object> yaml(String text) throws IOException {
    Map<String, Object> flat = new LinkedHashMap<>();
    for (PropertySource<?> source : new YamlPropertySourceLoader()
        .load("README.md", new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8)))) {
      EnumerablePropertySource<?> e = (EnumerablePropertySource<?>) source;
      for (String name : e.getPropertyNames()) {
        flat.put(name, String.valueOf(e.getProperty(name)));
      }
    }
    assertThat(flat).containsKeys("polyworker.engine", "polyworker.url");
    return flat;
  }

  /** Binds the keys to the starter's properties, failing on any key that binds to nothing. */
  private static void assertNoUnknownKey(Map<String, Object> properties) {
    PolyworkerProperties bound = new Binder(ConfigurationPropertySources.from(new MapPropertySource("README.md", properties)))
        .bind("polyworker", Bindable.of(PolyworkerProperties.class),
            new NoUnboundElementsBindHandler(BindHandler.DEFAULT))
        .get();
    assertThat(bound.getEngine()).isEqualTo(properties.get("polyworker.engine"));
    assertThat(bound.getWorker().getMaxConcurrentJobs()).isEqualTo(16);
    assertThat(bound.getSubscriptions().get("charge-card").getLockDuration()).isEqualTo(Duration.ofMinutes(2));
  }

  /** Compiles the README's class as written against this module's test class path; a loader of it. */
  private URLClassLoader compile(String className, String source) throws Exception {
    Path file = dir.resolve(className + ".java");
    Files.writeString(file, source);
    Path classes = dir.resolve("classes");
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StringWriter out = new StringWriter();
    try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      boolean compiled = compiler.getTask(out, files, diagnostics,
          List.of("--release", "17", "-Xlint:all", "-classpath", classPath, "-d", classes.toString()),
          null, files.getJavaFileObjects(file.toFile())).call();
      assertThat(compiled).as("javac: %s %s", out, diagnostics.getDiagnostics()).isTrue();
    }
    assertThat(diagnostics.getDiagnostics()).as("javac warnings").isEmpty();
    return new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
  }

  /** Spring Boot's auto-configuration and nothing else: the README's handler is the only bean of ours. */
  @EnableAutoConfiguration
  static class AutoConfigured {}
}
