package io.polyworker.camunda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyworker.DeploymentResource;
import io.polyworker.engine.Engine;
import io.polyworker.EngineUnavailableException;
import io.polyworker.JobLockLostException;
import io.polyworker.PolyworkerException;
import io.polyworker.ResultRejectedException;
import io.polyworker.camunda.internal.CamundaTestAccess;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.CamundaRestEngine;
import io.polyworker.testkit.engines.LocalCamunda;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the real Camunda 7.24 answers when it refuses a result, and which of those answers are a
 * refusal of the result's content ({@link ResultRejectedException}: sending it again cannot succeed)
 * rather than a state of the job or the engine that may pass. {@code OperatonResultRejectionTest}
 * pins the same answers on Operaton.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CamundaResultRejectionTest {
  private static final Duration LOCK = Duration.ofMinutes(5);
  /** Year 10000: Camunda's REST layer cannot parse it as a date. */
  private static final Instant FAR_FUTURE = Instant.parse("+10000-01-01T00:00:00Z");

  private Engine engine;
  private EngineClient client;
  private CamundaTestAccess rest;

  /** The server whose answers are pinned. */
  CamundaRestEngine server() {
    return LocalCamunda.shared();
  }

  @BeforeAll
  void connect() {
    CamundaRestEngine camunda = server();
    engine = CamundaEngine.builder().baseUrl(camunda.restUrl()).build();
    client = engine.jobClient();
    rest = new CamundaTestAccess(camunda.restUrl());
  }

  @AfterAll
  void close() {
    engine.close();
  }

  @Test
  void aVariableCamundaCannotConvertIsAContentRefusal() {
    LockedJob job = startAndFetch();

    assertThatThrownBy(() -> client.complete(job, "w", Map.of("due", FAR_FUTURE), Map.of()))
        .isInstanceOfSatisfying(ResultRejectedException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.operation()).isEqualTo("complete");
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.getMessage()).contains("Cannot convert value").contains("Date");
        });
    assertThatThrownBy(() -> client.bpmnError(job, "w", "E", "m", Map.of("due", FAR_FUTURE)))
        .isInstanceOf(ResultRejectedException.class);

    // The job itself is fine: still locked by this worker, and a result it can store is taken.
    client.complete(job, "w", Map.of("due", Instant.parse("2026-01-01T00:00:00Z")), Map.of());
  }

  @Test
  void aTypeCamundaDoesNotKnowIsAContentRefusal() {
    LockedJob job = startAndFetch();
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("workerId", "w");
    body.putObject("variables").putObject("x").put("value", "abc").put("type", "NoSuchType");

    // What a server without Camunda Spin answers for Polyworker's Json values, too.
    assertThatThrownBy(() -> rest.post("complete", "external-task/" + job.id() + "/complete", body))
        .isInstanceOfSatisfying(ResultRejectedException.class,
            e -> assertThat(e.getMessage()).contains("Unsupported value type 'NoSuchType'"));
    client.complete(job, "w", Map.of(), Map.of());
  }

  @Test
  void aSuspendedInstanceIsNoContentRefusal() {
    LockedJob job = startAndFetch();
    rest.put("process-instance/" + job.processInstanceId() + "/suspended",
        JsonNodeFactory.instance.objectNode().put("suspended", true));

    // 400 "ENGINE-03043 ExternalTask with id '…' is suspended": the same result is taken once the
    // instance is activated again, so this is neither a refusal of the content nor a lost lock.
    assertThatThrownBy(() -> client.complete(job, "w", Map.of(), Map.of()))
        .isInstanceOfSatisfying(PolyworkerException.class, e -> {
          assertThat(e).isNotInstanceOf(ResultRejectedException.class)
              .isNotInstanceOf(JobLockLostException.class);
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.getMessage()).contains("is suspended");
        });

    rest.put("process-instance/" + job.processInstanceId() + "/suspended",
        JsonNodeFactory.instance.objectNode().put("suspended", false));
    client.complete(job, "w", Map.of(), Map.of());
  }

  @Test
  void aServerErrorStaysRetryableEvenWhenCausedByTheContent() {
    LockedJob job = startAndFetch();
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("workerId", "w");
    body.putObject("variables").putObject("x").put("value", "abc").put("type", "Object");

    // 500 ProcessEngineException "Cannot find serializer for value …": Camunda answers engine
    // exceptions with the same status and type whatever their cause, so a 500 is never taken for a
    // refusal of the content (Polyworker never sends Object values itself).
    assertThatThrownBy(() -> rest.post("complete", "external-task/" + job.id() + "/complete", body))
        .isInstanceOfSatisfying(EngineUnavailableException.class, e -> {
          assertThat(e.status()).isEqualTo(500);
          assertThat(e.getMessage()).contains("ProcessEngineException");
        });
    client.complete(job, "w", Map.of(), Map.of());
  }

  private LockedJob startAndFetch() {
    String topic = "t-" + UUID.randomUUID();
    TestProcess p = TestProcess.named("p_" + UUID.randomUUID().toString().replace("-", ""))
        .task("task", topic);
    engine.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(Dialect.CAMUNDA)));
    engine.processClient().startProcess(p.id(), Map.of());
    return await().atMost(Duration.ofSeconds(30)).until(() -> {
      List<LockedJob> jobs = client.fetchAndLock(FetchRequest.of("w", topic, 1, LOCK))
          .get(30, TimeUnit.SECONDS);
      return jobs.isEmpty() ? null : jobs.get(0);
    }, j -> j != null);
  }
}
