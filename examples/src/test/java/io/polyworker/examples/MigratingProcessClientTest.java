package io.polyworker.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.DeploymentResource;
import io.polyworker.EngineUnavailableException;
import io.polyworker.NotFoundException;
import io.polyworker.PublishMessage;
import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.engine.MigratingProcessClient;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.testkit.engines.LocalZeebe;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The migrating client between the shared local Camunda 7 (old) and Zeebe (target), asserted through
 * each engine's own records: starts land on Zeebe, a message reaches the instance waiting for its
 * key on whichever engine it waits, a key nobody waits for on Camunda is buffered by Zeebe, a
 * Camunda outage is not routed around, and cancellations find their instance.
 */
class MigratingProcessClientTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final Duration TTL = Duration.ofSeconds(30);

  private static Engine camunda;
  private static Engine zeebe;
  private static MigratingProcessClient client;
  private static String run;
  private static String message;
  private static TestProcess process;

  @BeforeAll
  static void deployOnBothEngines() {
    camunda = Engines.fromConfig(SharedEngines.config("camunda"));
    zeebe = Engines.fromConfig(SharedEngines.config("zeebe"));
    client = MigratingProcessClient.of(camunda, zeebe);
    run = UUID.randomUUID().toString().substring(0, 8);
    message = "paid-" + run;
    // start -> wait for the payment message (correlated by orderId) -> end
    process = TestProcess.named("payment_" + run.replace('-', '_')).waitForMessage("paid", message, "orderId");
    client.from().processClient().deploy(DeploymentResource.of(process.resourceName(), process.toXml(Dialect.CAMUNDA)));
    client.deploy(DeploymentResource.of(process.resourceName(), process.toXml(Dialect.ZEEBE)));
  }

  @AfterAll
  static void closeEngines() {
    if (camunda != null) {
      camunda.close();
    }
    if (zeebe != null) {
      zeebe.close();
    }
  }

  @Test
  void eachMessageReachesTheInstanceWaitingForItsKeyOnItsOwnEngine() {
    String onCamunda = camunda.processClient().startProcess(process.id(), Map.of("orderId", key("old")));
    String onZeebe = client.startProcess(process.id(), Map.of("orderId", key("new")));
    assertThat(LocalCamunda.shared().history().processInstance(onZeebe)).as("started on Zeebe").isEmpty();
    await().atMost(PATIENCE).until(() -> zeebeEvents(onZeebe, "PROCESS_INSTANCE").stream()
        .anyMatch(r -> "ELEMENT_ACTIVATED".equals(r.path("intent").asText())
            && "paid".equals(r.path("value").path("elementId").asText())));

    String reached = client.publishMessage(payment(key("old")));
    assertThat(reached).as("Camunda answers with the instance it reached").isEqualTo(onCamunda);
    await().atMost(PATIENCE).until(() -> camundaState(onCamunda).equals("COMPLETED"));
    assertThat(zeebeMessages(key("old"))).as("nothing published on Zeebe for the old key").isEmpty();

    assertThat(client.publishMessage(payment(key("new")))).as("Zeebe's message key").isNotNull();
    await().atMost(PATIENCE).until(() -> zeebeProcessEnded(onZeebe, "ELEMENT_COMPLETED"));
    assertThat(zeebeMessages(key("new"))).hasSize(1);
  }

  @Test
  void aKeyNobodyWaitsForOnCamundaIsBufferedByZeebe() {
    String key = key("later");
    client.publishMessage(payment(key).withTimeToLive(TTL));
    assertThat(zeebeMessages(key)).as("published on Zeebe").hasSize(1);

    String instance = client.startProcess(process.id(), Map.of("orderId", key));
    await().atMost(PATIENCE).until(() -> zeebeProcessEnded(instance, "ELEMENT_COMPLETED"));
  }

  @Test
  void aCamundaOutageIsNotRoutedToZeebe() throws IOException {
    String key = key("outage");
    String waiting = client.startProcess(process.id(), Map.of("orderId", key));
    try (Engine down = Engines.fromConfig(EngineConfig.fromMap(Map.of(EngineConfig.ENGINE, "camunda",
        EngineConfig.URL, "http://127.0.0.1:" + unusedPort() + "/engine-rest")))) {
      MigratingProcessClient broken = MigratingProcessClient.of(down, zeebe);
      assertThatThrownBy(() -> broken.publishMessage(payment(key)))
          .isInstanceOf(EngineUnavailableException.class);
      assertThatThrownBy(() -> broken.cancelProcessInstance(waiting))
          .isInstanceOf(EngineUnavailableException.class);
    }
    assertThat(zeebeMessages(key)).as("no message published on Zeebe").isEmpty();
    assertThat(zeebeProcessEnded(waiting, "ELEMENT_TERMINATED")).as("not cancelled on Zeebe").isFalse();
    client.cancelProcessInstance(waiting);
  }

  @Test
  void aCancellationFindsItsInstanceOnEitherEngine() {
    String onCamunda = camunda.processClient().startProcess(process.id(), Map.of("orderId", key("c1")));
    String onZeebe = client.startProcess(process.id(), Map.of("orderId", key("c2")));

    client.cancelProcessInstance(onCamunda);
    assertThat(camundaState(onCamunda)).isEqualTo("EXTERNALLY_TERMINATED");
    client.cancelProcessInstance(onZeebe);
    await().atMost(PATIENCE).until(() -> zeebeProcessEnded(onZeebe, "ELEMENT_TERMINATED"));
    assertThatThrownBy(() -> client.cancelProcessInstance(onZeebe)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void zeebeCannotBeTheOldEngineNorAnEngineItsOwnTarget() {
    assertThatThrownBy(() -> MigratingProcessClient.of(zeebe, camunda))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot migrate from 'zeebe'").hasMessageContaining("MESSAGE_BUFFERING");
    assertThatThrownBy(() -> MigratingProcessClient.of(camunda, camunda))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both 'camunda'");
    assertThat(client).hasToString("MigratingProcessClient[from=camunda, to=zeebe]");
    assertThat(client.from()).isSameAs(camunda);
    assertThat(client.to()).isSameAs(zeebe);
  }

  private static String key(String name) {
    return name + "-" + run;
  }

  private static PublishMessage payment(String key) {
    return PublishMessage.of(message, key).withCorrelationVariable("orderId")
        .withVariables(Map.of("paid", true));
  }

  private static String camundaState(String instance) {
    return LocalCamunda.shared().history().processInstance(instance).map(i -> i.path("state").asText())
        .orElse("UNKNOWN");
  }

  private static List<JsonNode> zeebeEvents(String instance, String valueType) {
    return LocalZeebe.shared().recordLog().events(instance, valueType);
  }

  /** Whether the Zeebe instance (the process element itself) has this intent in the record log. */
  private static boolean zeebeProcessEnded(String instance, String intent) {
    return zeebeEvents(instance, "PROCESS_INSTANCE").stream()
        .anyMatch(r -> intent.equals(r.path("intent").asText())
            && "PROCESS".equals(r.path("value").path("bpmnElementType").asText()));
  }

  /** The PUBLISHED events of Zeebe messages with this correlation key. */
  private static List<JsonNode> zeebeMessages(String correlationKey) {
    return LocalZeebe.shared().recordLog().readSince(0, line -> line.contains("\"valueType\":\"MESSAGE\"")
            && line.contains(correlationKey)).kept().stream()
        .filter(r -> "EVENT".equals(r.path("recordType").asText())
            && "PUBLISHED".equals(r.path("intent").asText())
            && correlationKey.equals(r.path("value").path("correlationKey").asText()))
        .toList();
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
