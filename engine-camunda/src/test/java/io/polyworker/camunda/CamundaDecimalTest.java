package io.polyworker.camunda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyworker.DeploymentResource;
import io.polyworker.engine.Engine;
import io.polyworker.VariableException;
import io.polyworker.camunda.internal.CamundaTestAccess;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.LocalCamunda;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Camunda 7 has no decimal type, so a {@code BigDecimal} is refused rather than written as a
 * {@code Double} (which it used to be, silently losing digits and scale). Storing it as a JSON object
 * value does not help either, as the first test shows on the real engine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CamundaDecimalTest {
  private static final String DECIMAL = "12345678901234567890.10";

  private Engine engine;
  private EngineClient client;
  private CamundaTestAccess rest;

  @BeforeAll
  void connect() {
    LocalCamunda camunda = LocalCamunda.shared();
    engine = CamundaEngine.builder().baseUrl(camunda.restUrl()).build();
    client = engine.jobClient();
    rest = new CamundaTestAccess(camunda.restUrl());
  }

  @AfterAll
  void close() {
    engine.close();
  }

  @Test
  void aDecimalStoredAsAJsonObjectComesBackAsADoubleOnceTheEngineReadsIt() {
    LockedJob job = startAndFetch();
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("workerId", "w");
    body.putObject("variables").putObject("amount").put("value", DECIMAL).put("type", "Object")
        .putObject("valueInfo").put("serializationDataFormat", "application/json")
        .put("objectTypeName", "java.math.BigDecimal");
    rest.post("complete", "external-task/" + job.id() + "/complete", body);

    // Camunda Spin reads JSON numbers through doubles: the value it hands out has lost digits.
    JsonNode amount = rest.getOrNull("process-instance", job.processInstanceId(), "variables", "amount");
    assertThat(amount).isNotNull();
    assertThat(amount.path("value").decimalValue()).isNotEqualByComparingTo(new BigDecimal(DECIMAL))
        .isEqualByComparingTo(new BigDecimal(Double.toString(Double.parseDouble(DECIMAL))));
  }

  @Test
  void aBigDecimalIsRefusedNamingTheVariableAndTheEngine() {
    LockedJob job = startAndFetch();
    Map<String, Object> result = Map.of("amount", new BigDecimal(DECIMAL));

    assertThatThrownBy(() -> client.complete(job, "w", result, Map.of()))
        .isInstanceOfSatisfying(VariableException.class, e -> {
          assertThat(e.engine()).isEqualTo("camunda");
          assertThat(e.getMessage()).contains("variable 'amount'").contains("BigDecimal")
              .contains("no decimal type");
        });
    assertThatThrownBy(() -> client.bpmnError(job, "w", "E", null, result))
        .isInstanceOf(VariableException.class).hasMessageContaining("'amount'");
    assertThatThrownBy(() -> engine.processClient().startProcess("any", result))
        .isInstanceOf(VariableException.class).hasMessageContaining("'amount'");

    // As a String (or a double, knowingly) it goes through.
    client.complete(job, "w", Map.of("amount", new BigDecimal(DECIMAL).toPlainString()), Map.of());
  }

  private LockedJob startAndFetch() {
    String topic = "t-" + UUID.randomUUID();
    TestProcess p = TestProcess.named("p_" + UUID.randomUUID().toString().replace("-", ""))
        .task("task", topic).task("next", topic + "-next");
    engine.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(Dialect.CAMUNDA)));
    engine.processClient().startProcess(p.id(), Map.of());
    return await().atMost(Duration.ofSeconds(30)).until(() -> {
      List<LockedJob> jobs = client.fetchAndLock(FetchRequest.of("w", topic, 1, Duration.ofMinutes(5)))
          .get(30, TimeUnit.SECONDS);
      return jobs.isEmpty() ? null : jobs.get(0);
    }, j -> j != null);
  }
}
