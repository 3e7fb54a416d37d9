package io.polyworker.zeebe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.engine.Engine;
import io.polyworker.EngineUnavailableException;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.MessageAlreadyExistsException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ProcessAwaitTimeoutException;
import io.polyworker.ProcessResult;
import io.polyworker.PublishMessage;
import io.polyworker.StartProcess;
import io.polyworker.spi.FetchRequest;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.LocalZeebe;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Deploy and start against the real engine, and what an unreachable or mismatched gateway gives. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZeebeProcessClientTest {
  private static final String DMN = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      + "<definitions xmlns=\"https://www.omg.org/spec/DMN/20191111/MODEL/\" id=\"d_defs\" name=\"D\""
      + " namespace=\"http://polyworker.io/test\">\n"
      + "  <decision id=\"%s\" name=\"Decide\">\n"
      + "    <decisionTable id=\"dt\">\n"
      + "      <input id=\"i1\"><inputExpression id=\"ie1\" typeRef=\"number\"><text>x</text></inputExpression></input>\n"
      + "      <output id=\"o1\" name=\"y\" typeRef=\"string\"/>\n"
      + "      <rule id=\"r1\"><inputEntry id=\"ie\"><text>-</text></inputEntry>"
      + "<outputEntry id=\"oe\"><text>\"ok\"</text></outputEntry></rule>\n"
      + "    </decisionTable>\n"
      + "  </decision>\n"
      + "</definitions>\n";

  private ZeebeFixture fixture;
  private Engine engine;

  @BeforeAll
  void connect() {
    fixture = new ZeebeFixture(LocalZeebe.shared());
    engine = fixture.engine();
  }

  @AfterAll
  void disconnect() {
    fixture.close();
  }

  @Test
  void deployReturnsOneDefinitionPerProcessAndDecision() {
    TestProcess p = TestProcess.named(id()).task("task", "t-" + UUID.randomUUID());
    String decision = id();
    List<DeployedDefinition> first = engine.processClient().deploy(
        DeploymentResource.of(p.resourceName(), p.toXml(Dialect.ZEEBE)),
        DeploymentResource.of("rules.dmn", String.format(DMN, decision)));

    assertThat(first).hasSize(2);
    DeployedDefinition process = first.get(0);
    assertThat(process.key()).isEqualTo(p.id());
    assertThat(process.id()).matches("\\d+");
    assertThat(process.version()).isEqualTo(1);
    assertThat(process.resourceName()).isEqualTo(p.resourceName());
    assertThat(first.get(1)).satisfies(d -> {
      assertThat(d.key()).isEqualTo(decision);
      assertThat(d.version()).isEqualTo(1);
      assertThat(d.resourceName()).isEqualTo("rules.dmn");
    });

    TestProcess changed = TestProcess.named(p.id()).task("task", "t-" + UUID.randomUUID()).task("more", "x");
    List<DeployedDefinition> second = engine.processClient().deploy(
        DeploymentResource.of(changed.resourceName(), changed.toXml(Dialect.ZEEBE)));
    assertThat(second).singleElement().satisfies(d -> {
      assertThat(d.version()).isEqualTo(2);
      assertThat(d.id()).isNotEqualTo(process.id());
    });
  }

  @Test
  void anInvalidDefinitionIsRejectedWithTheEnginesMessage() {
    String broken = "<?xml version=\"1.0\"?><definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\""
        + " targetNamespace=\"t\"><process id=\"broken\" isExecutable=\"true\"><startEvent id=\"s\"/>"
        + "<serviceTask id=\"task\"/></process></definitions>";
    assertThatThrownBy(() -> engine.processClient().deploy(DeploymentResource.of("broken.bpmn", broken)))
        .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> {
          assertThat(e.operation()).isEqualTo("deploy");
          assertThat(e.status()).isEqualTo(3);
          assertThat(e.detail()).contains("broken.bpmn").contains("task");
        });
    assertThatThrownBy(() -> engine.processClient().deploy())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void startProcessStartsTheLatestVersionAndIgnoresTheBusinessKey() {
    TestProcess p = TestProcess.named(id()).task("task", "t-" + UUID.randomUUID());
    engine.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(Dialect.ZEEBE)));
    String instance = engine.processClient().startProcess(p.id(), Map.of("order", Map.of("id", "A-1")),
        "business-key");
    assertThat(instance).matches("\\d+");
    await().atMost(Duration.ofSeconds(30)).until(() -> fixture.instanceState(instance) == InstanceState.ACTIVE);
    assertThat(fixture.processVariables(instance)).containsEntry("order", Map.of("id", "A-1"));
  }

  @Test
  void startingAnUnknownProcessIsNotFound() {
    assertThatThrownBy(() -> engine.processClient().startProcess("no_such_process", Map.of()))
        .isExactlyInstanceOf(NotFoundException.class)
        .satisfies(e -> assertThat(((NotFoundException) e).operation()).isEqualTo("startProcess"))
        .hasMessageContaining("no_such_process");
  }

  @Test
  void anExplicitBusinessKeyIsIgnoredAndVersionsAndTenantsAreHonoured() {
    TestProcess p = TestProcess.named(id()).task("task", "t-" + UUID.randomUUID());
    engine.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(Dialect.ZEEBE)));
    // Zeebe has no business keys: an explicit one is ignored, as on the three-argument start.
    assertThat(engine.processClient().startProcess(StartProcess.of(p.id()).withBusinessKey("bk")))
        .matches("\\d+");
    assertThat(engine.processClient().startProcess(StartProcess.of(p.id()).withVersion(1)
        .withTenantId("<default>"))).matches("\\d+");
    assertThatThrownBy(() -> engine.processClient().startProcess(StartProcess.of(p.id()).withVersion(2)))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void startAndAwaitTimesOutWhenAskedThoughTheKeyIsUnknown() {
    TestProcess p = TestProcess.named(id()).task("task", "t-" + UUID.randomUUID());
    engine.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(Dialect.ZEEBE)));
    long started = System.nanoTime();
    assertThatThrownBy(() -> engine.processClient().startProcessAndAwait(StartProcess.of(p.id()),
        Duration.ofSeconds(1)))
        .isInstanceOfSatisfying(ProcessAwaitTimeoutException.class,
            e -> assertThat(e.processInstanceId()).isNull());
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void startAndAwaitReturnsTheEndStateVariables() {
    String id = id();
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><definitions"
        + " xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" targetNamespace=\"t\">"
        + "<process id=\"" + id + "\" isExecutable=\"true\"><startEvent id=\"s\"/>"
        + "<sequenceFlow id=\"f\" sourceRef=\"s\" targetRef=\"e\"/><endEvent id=\"e\"/></process></definitions>";
    engine.processClient().deploy(DeploymentResource.of(id + ".bpmn", xml));
    ProcessResult all = engine.processClient().startProcessAndAwait(StartProcess.of(id)
        .withVariables(Map.of("a", 1, "b", "two")), Duration.ofSeconds(30));
    assertThat(all.processInstanceId()).matches("\\d+");
    assertThat(all.variables()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1, "b", "two"));
    ProcessResult none = engine.processClient().startProcessAndAwait(StartProcess.of(id)
        .withVariables(Map.of("a", 1)).withFetchVariables(List.of()), Duration.ofSeconds(30));
    assertThat(none.variables()).isEmpty();
  }

  @Test
  void publishAndCancelMapTheirErrors() {
    PublishMessage m = PublishMessage.of("m-" + UUID.randomUUID(), "k").withTimeToLive(Duration.ofMinutes(1))
        .withMessageId("id-1").withVariables(Map.of("x", 1));
    assertThat(engine.processClient().publishMessage(m)).matches("\\d+");
    assertThatThrownBy(() -> engine.processClient().publishMessage(m))
        .isInstanceOfSatisfying(MessageAlreadyExistsException.class,
            e -> assertThat(e.status()).isEqualTo(io.grpc.Status.Code.ALREADY_EXISTS.value()));
    assertThatThrownBy(() -> engine.processClient().cancelProcessInstance("not-a-key"))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("not a Zeebe process instance key");
    assertThatThrownBy(() -> engine.processClient().cancelProcessInstance(fixture.unknownInstanceId()))
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.status()).isEqualTo(5));
  }

  @Test
  void anUnreachableGatewayIsATransientFailure() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (Engine nowhere = ZeebeEngine.builder().grpcAddress(URI.create("http://127.0.0.1:" + port))
        .plaintext().requestTimeout(Duration.ofSeconds(2)).build()) {
      assertThatThrownBy(() -> nowhere.jobClient()
          .fetchAndLock(FetchRequest.of("w", "t", 1, Duration.ofSeconds(10))).join())
          .isInstanceOf(CompletionException.class)
          .cause().isInstanceOfSatisfying(EngineUnavailableException.class, e -> {
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.status()).isEqualTo(14);
          });
      assertThatThrownBy(() -> nowhere.processClient().startProcess("p", Map.of()))
          .isInstanceOf(EngineUnavailableException.class);
    }
  }

  @Test
  void tlsAgainstAPlaintextGatewayFailsAsUnavailable() {
    URI tls = URI.create("https://127.0.0.1:" + LocalZeebe.shared().port());
    try (Engine wrong = ZeebeEngine.builder().grpcAddress(tls).requestTimeout(Duration.ofSeconds(5)).build()) {
      assertThatThrownBy(() -> wrong.processClient().startProcess("p", Map.of()))
          .isInstanceOf(EngineUnavailableException.class);
    }
  }

  private static String id() {
    return "p_" + UUID.randomUUID().toString().replace("-", "");
  }
}
