package io.polyworker.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyworker.BpmnError;
import io.polyworker.DeploymentResource;
import io.polyworker.JobResult;
import io.polyworker.ProcessResult;
import io.polyworker.StartProcess;
import io.polyworker.engine.Engine;
import io.polyworker.engine.Engines;
import io.polyworker.worker.JobWorker;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Keeps the snippets of the main README true, as a new user copies them: the quick start and the
 * migration snippet compile as written against the modules, the quick start's pom names artifacts,
 * versions and settings this build really has, and each engine's process model deploys on the real
 * engine and routes the quick start's {@code BpmnError} through its error boundary event.
 */
class ReadmeSnippetsTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern FENCE = Pattern.compile("(?ms)^```(\\w*)\\n(.*?)^```");

  @TempDir Path dir;

  /** The README's fenced blocks of one language, in order. */
  private static List<String> blocks(String language) throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    List<String> found = new ArrayList<>();
    Matcher m = FENCE.matcher(readme);
    while (m.find()) {
      if (m.group(1).equals(language)) {
        found.add(m.group(2));
      }
    }
    return found;
  }

  private static String onlyBlock(String language, String containing) throws IOException {
    List<String> matching = blocks(language).stream().filter(b -> b.contains(containing)).toList();
    assertThat(matching).as("README ```%s blocks containing %s", language, containing).hasSize(1);
    return matching.get(0);
  }

  @Test
  void theQuickStartCompilesAsWritten() throws IOException {
    String source = onlyBlock("java", "public static void main");
    Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
    assertThat(name.find()).as("a public class in the quick start").isTrue();
    Path file = dir.resolve(name.group(1) + ".java");
    Files.writeString(file, source);
    compile(file, "-Xlint:all");
    assertThat(dir.resolve("classes").resolve(name.group(1) + ".class")).isRegularFile();
  }

  /**
   * The migration snippet is a fragment: it compiles as the body of a method whose parameters are
   * the two handlers it names, with the imports a user's class has. Lint "try" is off because the
   * snippet's worker is a resource its block does not use (it runs until the block ends).
   */
  @Test
  void theMigrationSnippetCompilesAsWritten() throws IOException {
    String fragment = onlyBlock("java", "MigratingProcessClient.of(");
    String source = """
        import io.polyworker.DeploymentResource;
        import io.polyworker.JobHandler;
        import io.polyworker.ProcessClient;
        import io.polyworker.PublishMessage;
        import io.polyworker.SubscriptionOptions;
        import io.polyworker.engine.Engine;
        import io.polyworker.engine.EngineConfig;
        import io.polyworker.engine.Engines;
        import io.polyworker.engine.MigratingProcessClient;
        import io.polyworker.worker.JobWorker;
        import java.time.Duration;
        import java.util.List;
        import java.util.Map;

        class MigrationSnippet {
          static void migrate(JobHandler chargeCard, JobHandler printInvoice) {
        """ + fragment + """
          }
        }
        """;
    Path file = dir.resolve("MigrationSnippet.java");
    Files.writeString(file, source);
    compile(file, "-Xlint:all,-try");
    assertThat(dir.resolve("classes").resolve("MigrationSnippet.class")).isRegularFile();
  }

  /** Compiles one file against the test class path, Java 17, and fails on any error or warning. */
  private void compile(Path file, String lint) throws IOException {
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    assertThat(classPath).contains("engine-camunda");

    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StringWriter out = new StringWriter();
    try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null,
        StandardCharsets.UTF_8)) {
      boolean compiled = compiler.getTask(out, files, diagnostics,
          List.of("--release", "17", lint, "-classpath", classPath, "-d",
              dir.resolve("classes").toString()),
          null, files.getJavaFileObjects(file.toFile())).call();
      assertThat(compiled).as("javac: %s %s", out, diagnostics.getDiagnostics()).isTrue();
    }
    assertThat(diagnostics.getDiagnostics()).as("javac warnings").isEmpty();
  }

  @Test
  void thePomNamesRealModulesTheirVersionJava17AndAnSlf4jBinding() throws Exception {
    Element pom = parse(onlyBlock("xml", "<project")).getDocumentElement();
    Element build = parse(Files.readString(ROOT.resolve("pom.xml"))).getDocumentElement();
    String version = text(child(build, "version"));
    Set<String> managed = new HashSet<>();
    for (Element d : all(parse(Files.readString(ROOT.resolve("bom/pom.xml"))).getDocumentElement(),
        "dependency")) {
      managed.add(text(child(d, "artifactId")));
    }

    List<Element> imports = all(child(pom, "dependencyManagement"), "dependency");
    assertThat(imports).hasSize(1);
    Element bom = imports.get(0);
    assertThat(coordinates(bom)).isEqualTo("io.polyworker:polyworker-bom:" + version);
    assertThat(text(child(bom, "type"))).isEqualTo("pom");
    assertThat(text(child(bom, "scope"))).isEqualTo("import");

    Map<String, Element> dependencies = new LinkedHashMap<>();
    for (Element d : all(child(pom, "dependencies"), "dependency")) {
      dependencies.put(text(child(d, "groupId")) + ":" + text(child(d, "artifactId")), d);
    }
    List<String> engines = new ArrayList<>();
    for (Map.Entry<String, Element> d : dependencies.entrySet()) {
      if (d.getKey().startsWith("io.polyworker:")) {
        String artifact = d.getKey().substring("io.polyworker:".length());
        assertThat(managed).as("the BOM manages %s", artifact).contains(artifact);
        assertThat(child(d.getValue(), "version")).as("%s takes its version from the BOM", artifact).isNull();
        if (artifact.startsWith("polyworker-engine-")) {
          engines.add(artifact);
        }
      }
    }
    assertThat(dependencies).containsKey("io.polyworker:polyworker-worker");
    assertThat(engines).containsExactly("polyworker-engine-camunda");
    assertThat(onlyBlock("java", "public static void main")).contains("import io.polyworker.camunda.");

    String slf4j = text(child(child(build, "properties"), "slf4j.version"));
    assertThat(coordinates(dependencies.get("org.slf4j:slf4j-simple")))
        .isEqualTo("org.slf4j:slf4j-simple:" + slf4j);

    Element compiler = plugin(child(child(pom, "build"), "plugins"), "maven-compiler-plugin");
    Element ours = plugin(child(child(child(build, "build"), "pluginManagement"), "plugins"),
        "maven-compiler-plugin");
    assertThat(text(child(compiler, "version"))).isEqualTo(text(child(ours, "version")));
    assertThat(text(child(child(compiler, "configuration"), "release"))).isEqualTo("17");
  }

  @ParameterizedTest
  @ValueSource(strings = {"camunda", "flowable", "zeebe"})
  void eachEnginesModelRoutesTheQuickStartsBpmnErrorThroughItsBoundaryEvent(String engineId)
      throws IOException {
    String namespace = switch (engineId) {
      case "camunda" -> "http://camunda.org/schema/1.0/bpmn";
      case "flowable" -> "http://flowable.org/bpmn";
      default -> "http://camunda.org/schema/zeebe/1.0";
    };
    String model = onlyBlock("xml", "\"" + namespace + "\"");
    record Order(String id, long total) {}
    try (Engine engine = Engines.fromConfig(SharedEngines.config(engineId));
         JobWorker worker = JobWorker.builder(engine)
             .subscribe("charge-card", job -> {
               Order order = job.variables().get("order", Order.class);
               if (order.total() > 1_000) {
                 throw new BpmnError("LIMIT_EXCEEDED", "needs approval");
               }
               return JobResult.complete(Map.of("charged", true));
             })
             .subscribe("request-approval", job -> JobResult.complete(Map.of("approvalRequested", true)))
             .build()
             .start()) {
      engine.processClient().deploy(DeploymentResource.of("charge.bpmn", model));
      ProcessResult small = engine.processClient().startProcessAndAwait(StartProcess.of("charge")
          .withVariables(Map.of("order", Map.of("id", "A-1", "total", 120))), Duration.ofSeconds(60));
      assertThat(small.variables()).containsEntry("charged", true).doesNotContainKey("approvalRequested");
      ProcessResult large = engine.processClient().startProcessAndAwait(StartProcess.of("charge")
          .withVariables(Map.of("order", Map.of("id", "A-2", "total", 5_000))), Duration.ofSeconds(60));
      assertThat(large.variables()).containsEntry("approvalRequested", true).doesNotContainKey("charged");
    }
  }

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    factory.setExpandEntityReferences(false);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static String coordinates(Element dependency) {
    return text(child(dependency, "groupId")) + ":" + text(child(dependency, "artifactId")) + ":"
        + text(child(dependency, "version"));
  }

  private static Element plugin(Element plugins, String artifactId) {
    for (Element p : all(plugins, "plugin")) {
      if (artifactId.equals(text(child(p, "artifactId")))) {
        return p;
      }
    }
    throw new AssertionError("no plugin " + artifactId);
  }

  /** The direct child element with this name, or null. */
  private static Element child(Element parent, String name) {
    assertThat(parent).as("parent of <%s>", name).isNotNull();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      if (n instanceof Element e && name.equals(e.getTagName())) {
        return e;
      }
    }
    return null;
  }

  private static List<Element> all(Element parent, String name) {
    assertThat(parent).as("parent of <%s>", name).isNotNull();
    NodeList nodes = parent.getElementsByTagName(name);
    List<Element> result = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      result.add((Element) nodes.item(i));
    }
    return result;
  }

  private static String text(Element e) {
    assertThat(e).isNotNull();
    return e.getTextContent().strip();
  }
}
