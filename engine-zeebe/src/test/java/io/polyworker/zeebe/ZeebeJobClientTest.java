package io.polyworker.zeebe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.response.ActivatedJob;
import io.polyworker.DeploymentResource;
import io.polyworker.engine.Engine;
import io.polyworker.JobAlreadyCompletedException;
import io.polyworker.JobLockLostException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.VariableException;
import io.polyworker.Variables;
import io.polyworker.internal.DefaultVariables;
import io.polyworker.internal.Json;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.JobStream;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.LocalZeebe;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The job SPI against the real in-memory engine, for what the conformance kit does not pin down or
 * what is particular to Zeebe: Job fields, variable typing, how results and release look in the
 * engine's record log, the error classes of rejected results, and the push stream.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZeebeJobClientTest {
  private static final Duration LOCK = Duration.ofSeconds(30);
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private LocalZeebe zeebe;
  private ZeebeFixture fixture;
  private Engine engine;
  private EngineClient client;

  @BeforeAll
  void connect() {
    zeebe = LocalZeebe.shared();
    fixture = new ZeebeFixture(zeebe);
    engine = fixture.engine();
    client = engine.jobClient();
  }

  @AfterAll
  void disconnect() {
    fixture.close();
  }

  @Test
  void jobFieldsAreZeebesKeysAsDecimalStrings() {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("charge", type).header("region", "eu"));
    String instance = engine.processClient().startProcess(p.id(), Map.of("n", 1), "ignored-business-key");

    LockedJob job = fetchOne(type);

    ActivatedJob activated = (ActivatedJob) job.nativeJob();
    assertThat(job.engine()).isEqualTo("zeebe");
    assertThat(job.id()).isEqualTo(Long.toString(activated.getKey()));
    assertThat(job.processInstanceId()).isEqualTo(instance).isEqualTo(Long.toString(activated.getProcessInstanceKey()));
    assertThat(job.processDefinitionKey()).isEqualTo(p.id());
    assertThat(job.elementId()).isEqualTo("charge");
    assertThat(job.topic()).isEqualTo(type);
    assertThat(job.businessKey()).isNull();
    assertThat(job.tenantId()).as("the default tenant reads as no tenant").isNull();
    assertThat(job.retries()).isEqualTo(3);
    assertThat(job.headers()).containsExactlyEntriesOf(Map.of("region", "eu"));
    assertThat(job.lockExpiresAt()).isEqualTo(Instant.ofEpochMilli(activated.getDeadline()));
    assertThat(job.scopeType()).isEqualTo(LockedJob.BPMN);
  }

  @Test
  void variablesDecodeToPlainJavaAndConvertOnDemand() {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    Map<String, Object> sent = new java.util.LinkedHashMap<>();
    sent.put("int", 7);
    sent.put("long", 9_007_199_254_740_993L);
    sent.put("double", 0.1);
    sent.put("bool", false);
    sent.put("text", "ü€");
    sent.put("list", List.of("a", 1, true));
    sent.put("map", Map.of("nested", Map.of("x", 1)));
    sent.put("date", Instant.parse("2026-01-02T03:04:05Z"));
    engine.processClient().startProcess(p.id(), sent);

    Map<String, Object> raw = fetchOne(type).variables();

    assertThat(raw.get("int")).isEqualTo(7);
    assertThat(raw.get("long")).isEqualTo(9_007_199_254_740_993L);
    assertThat(raw.get("double")).isEqualTo(0.1);
    assertThat(raw.get("bool")).isEqualTo(false);
    assertThat(raw.get("text")).isEqualTo("ü€");
    assertThat(raw.get("list")).isEqualTo(List.of("a", 1, true));
    assertThat(raw.get("map")).isEqualTo(Map.of("nested", Map.of("x", 1)));
    // Zeebe has no date type: dates travel as ISO-8601 strings.
    assertThat(raw.get("date")).isEqualTo("2026-01-02T03:04:05Z");
    Variables typed = DefaultVariables.of(raw);
    assertThat(typed.get("int", Long.class)).isEqualTo(7L);
    assertThat(typed.get("date", Instant.class)).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
  }

  @Test
  void binaryValuesAreRefusedNamingTheVariableInsteadOfBecomingBase64Strings() {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    engine.processClient().startProcess(p.id(), Map.of());
    LockedJob job = fetchOne(type);
    Map<String, Object> withBytes = Map.of("fine", 1, "pdf", new byte[] {1, 2, 3});

    // Zeebe has no binary type: Jackson would write a Base64 string, which the process, the
    // engine's expressions and every later job would see as a String.
    assertThatThrownBy(() -> client.complete(job, "w", withBytes, Map.of()))
        .isInstanceOfSatisfying(VariableException.class, e -> {
          assertThat(e.engine()).isEqualTo("zeebe");
          assertThat(e.getMessage()).contains("variable 'pdf'").contains("byte[]").contains("binary");
        });
    assertThatThrownBy(() -> client.bpmnError(job, "w", "E", null, withBytes))
        .isInstanceOf(VariableException.class).hasMessageContaining("'pdf'");
    assertThatThrownBy(() -> engine.processClient().startProcess(p.id(), withBytes))
        .isInstanceOf(VariableException.class).hasMessageContaining("'pdf'");
    client.complete(job, "w", Map.of("fine", 1), Map.of());
  }

  @Test
  void decimalsAreRefusedBecauseZeebeKeepsJsonNumbersAsDoubles() {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    String decimal = "12345678901234567890.10";
    // The engine itself, given the decimal as a JSON number (as Jackson writes a BigDecimal):
    try (CamundaClient raw = CamundaClient.newClientBuilder().grpcAddress(zeebe.grpcUri())
        .preferRestOverGrpc(false).build()) {
      raw.newCreateInstanceCommand().bpmnProcessId(p.id()).latestVersion()
          .variables("{\"amount\":" + decimal + "}").send().join();
    }
    LockedJob job = fetchOne(type);
    assertThat(job.variables().get("amount")).isInstanceOf(Double.class)
        .isEqualTo(Double.parseDouble(decimal));

    Map<String, Object> withDecimal = Map.of("amount", new BigDecimal(decimal));
    assertThatThrownBy(() -> client.complete(job, "w", withDecimal, Map.of()))
        .isInstanceOfSatisfying(VariableException.class, e -> {
          assertThat(e.engine()).isEqualTo("zeebe");
          assertThat(e.getMessage()).contains("variable 'amount'").contains("BigDecimal");
        });
    assertThatThrownBy(() -> engine.processClient().startProcess(p.id(), withDecimal))
        .isInstanceOf(VariableException.class).hasMessageContaining("'amount'");
    client.complete(job, "w", Map.of("amount", decimal), Map.of());
  }

  @Test
  void anEmptyVariableFilterFetchesNoVariables() {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    engine.processClient().startProcess(p.id(), Map.of("a", 1, "b", 2));
    // Zeebe itself answers an empty fetchVariables list with all variables.
    LockedJob job = fetchOne(new FetchRequest("w", type, 1, LOCK, List.of(), Duration.ZERO, null, null,
        null, false));
    assertThat(job.variables()).isEmpty();
  }

  @Test
  void failAppendsTheDetailsToTheMessageAndBoundsIt() {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    String instance = engine.processClient().startProcess(p.id(), Map.of());
    LockedJob job = fetchOne(type);

    client.fail(job, "w", "boom", "x".repeat(50_000), 0, Duration.ZERO);

    JsonNode failed = await().atMost(PATIENCE).until(() -> jobEvent(instance, "FAILED"), r -> r != null);
    String message = failed.path("value").path("errorMessage").asText();
    assertThat(message).startsWith("boom\n\nxxx").endsWith("…(truncated)");
    assertThat(message.length()).isEqualTo(10_000);
    assertThat(failed.path("value").path("retries").asInt()).isZero();
  }

  @Test
  void releaseFailsKeepingTheRetriesWithoutBackoffAndSaysSo() {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    String instance = engine.processClient().startProcess(p.id(), Map.of());
    LockedJob job = fetchOne(type);

    client.release(job, "releasing-worker");

    JsonNode failed = await().atMost(PATIENCE).until(() -> jobEvent(instance, "FAILED"), r -> r != null);
    assertThat(failed.path("value").path("retries").asInt()).isEqualTo(3);
    assertThat(failed.path("value").path("retryBackoff").asLong()).isZero();
    assertThat(failed.path("value").path("errorMessage").asText())
        .contains("released unstarted by worker 'releasing-worker'");
    assertThat(fetchOne(type).id()).isEqualTo(job.id());
  }

  @Test
  void aStaleWorkersCompleteSucceedsBecauseZeebeDoesNotCheckOwnership() {
    assertThat(engine.capabilities().has(Capability.LOCK_OWNERSHIP)).isFalse();
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    String instance = engine.processClient().startProcess(p.id(), Map.of());
    LockedJob stale = fetchOne(new FetchRequest("stale", type, 1, Duration.ofSeconds(1), null,
        Duration.ZERO, null, null, null, false));
    LockedJob current = fetchOne(new FetchRequest("current", type, 1, LOCK, null, Duration.ZERO, null,
        null, null, false));
    assertThat(current.id()).isEqualTo(stale.id());

    client.complete(stale, "stale", Map.of("by", "stale"), Map.of());

    await().atMost(PATIENCE).until(() -> fixture.processVariables(instance).get("by"), "stale"::equals);
    assertThatThrownBy(() -> client.complete(current, "current", Map.of(), Map.of()))
        .isInstanceOf(JobAlreadyCompletedException.class);
  }

  @Test
  void rejectedResultsCarryOperationAndGrpcStatus() {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    engine.processClient().startProcess(p.id(), Map.of());
    LockedJob job = fetchOne(type);
    client.fail(job, "w", "later", null, 2, Duration.ofMinutes(5));

    // The job exists but waits for its backoff: FAILED_PRECONDITION.
    assertThatThrownBy(() -> client.complete(job, "w", Map.of(), Map.of()))
        .isInstanceOfSatisfying(JobLockLostException.class, e -> {
          assertThat(e.engine()).isEqualTo("zeebe");
          assertThat(e.operation()).isEqualTo("complete");
          assertThat(e.status()).isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION.value());
          assertThat(e.answerExcerpt()).contains("it is in state 'FAILED'");
        });

    LockedJob gone = withKey(job, 2251799813600001L);
    assertThatThrownBy(() -> client.complete(gone, "w", Map.of(), Map.of()))
        .isInstanceOfSatisfying(JobAlreadyCompletedException.class, e -> {
          assertThat(e.status()).isEqualTo(io.grpc.Status.Code.NOT_FOUND.value());
          assertThat(e.getMessage()).startsWith("[zeebe] complete failed (status 5): gRPC NOT_FOUND");
        });
    assertThatThrownBy(() -> client.fail(gone, "w", "m", null, 1, Duration.ZERO))
        .isInstanceOf(JobAlreadyCompletedException.class);
    assertThatThrownBy(() -> client.bpmnError(gone, "w", "E", null, Map.of()))
        .isInstanceOf(JobAlreadyCompletedException.class);
    assertThatThrownBy(() -> client.release(gone, "w"))
        .isInstanceOf(JobAlreadyCompletedException.class);
    assertThatThrownBy(() -> client.extendLock(gone, "w", LOCK))
        .isExactlyInstanceOf(NotFoundException.class)
        .hasMessageContaining("extendLock");
  }

  @Test
  void aRepeatedResultIsNeverAppliedTwice() {
    // Why results are retried after CANCELLED, INTERNAL or UNKNOWN (outcome unknown): a repeat of
    // a result that was applied is refused, not applied again.
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    engine.processClient().startProcess(p.id(), Map.of());
    engine.processClient().startProcess(p.id(), Map.of());
    engine.processClient().startProcess(p.id(), Map.of());
    LockedJob completed = fetchOne(type);
    client.complete(completed, "w", Map.of(), Map.of());
    assertThatThrownBy(() -> client.complete(completed, "w", Map.of(), Map.of()))
        .isInstanceOf(JobAlreadyCompletedException.class);

    LockedJob backingOff = fetchOne(type);
    client.fail(backingOff, "w", "later", null, 2, Duration.ofMinutes(5));
    assertThatThrownBy(() -> client.fail(backingOff, "w", "later", null, 2, Duration.ofMinutes(5)))
        .isInstanceOf(JobLockLostException.class);

    LockedJob incident = fetchOne(type);
    client.fail(incident, "w", "broken", null, 0, Duration.ZERO);
    assertThatThrownBy(() -> client.fail(incident, "w", "broken", null, 0, Duration.ZERO))
        .isInstanceOf(JobLockLostException.class);

    String caughtType = type();
    TestProcess caught = deploy(TestProcess.named(id()).task("task", caughtType)
        .catchError("task", "E", type()));
    engine.processClient().startProcess(caught.id(), Map.of());
    LockedJob erred = fetchOne(caughtType);
    client.bpmnError(erred, "w", "E", "m", Map.of());
    assertThatThrownBy(() -> client.bpmnError(erred, "w", "E", "m", Map.of()))
        .isInstanceOf(JobAlreadyCompletedException.class);
  }

  @Test
  void aResultTooLargeForTheEngineIsNotTakenForARefusedContent() {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    engine.processClient().startProcess(p.id(), Map.of());
    LockedJob job = fetchOne(type);

    // The in-memory engine answers UNKNOWN "Command 'COMPLETE' rejected with code
    // 'EXCEEDED_BATCH_RECORD_SIZE'": retried like every UNKNOWN (see ZeebeErrors).
    assertThatThrownBy(() -> client.complete(job, "w", Map.of("big", "x".repeat(3_000_000)), Map.of()))
        .isInstanceOfSatisfying(PolyworkerException.class, e -> {
          assertThat(e).isNotInstanceOf(io.polyworker.ResultRejectedException.class);
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.getMessage()).contains("EXCEEDED_BATCH_RECORD_SIZE");
        });
    client.complete(job, "w", Map.of(), Map.of());
  }

  @Test
  void extendLockReturnsNowPlusTheDuration() {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    engine.processClient().startProcess(p.id(), Map.of());
    LockedJob job = fetchOne(new FetchRequest("w", type, 1, Duration.ofSeconds(5), null, Duration.ZERO,
        null, null, null, false));
    Instant before = Instant.now();
    Instant expiry = client.extendLock(job, "w", Duration.ofMinutes(10));
    assertThat(expiry).isBetween(before.plus(Duration.ofMinutes(10)), Instant.now().plus(Duration.ofMinutes(10)));
    client.complete(job, "w", Map.of(), Map.of());
  }

  @Test
  void localVariablesAreRefusedWithTheReason() {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    engine.processClient().startProcess(p.id(), Map.of());
    LockedJob job = fetchOne(type);
    assertThatThrownBy(() -> client.complete(job, "w", Map.of(), Map.of("local", 1)))
        .isInstanceOf(VariableException.class)
        .hasMessageContaining("[local]")
        .hasMessageContaining("output mappings");
    client.complete(job, "w", Map.of(), Map.of());
  }

  @Test
  void aVariableThatCannotBeWrittenIsNamed() {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    engine.processClient().startProcess(p.id(), Map.of());
    LockedJob job = fetchOne(type);
    Map<String, Object> bad = Map.of("fine", 1, "broken", new Object() {
      @SuppressWarnings("unused")
      public String getValue() {
        throw new IllegalStateException("no");
      }
    });
    assertThatThrownBy(() -> client.complete(job, "w", bad, Map.of()))
        .isInstanceOf(VariableException.class)
        .hasMessageContaining("variable 'broken'");
  }

  @Test
  void theStreamPushesJobsCreatedAfterItOpenedUntilClosed() throws Exception {
    String type = type();
    TestProcess p = deploy(TestProcess.named(id()).task("task", type));
    BlockingQueue<LockedJob> pushed = new LinkedBlockingQueue<>();
    JobStream stream = client.openStream(new FetchRequest("streamer", type, 10, LOCK, List.of("wanted"),
        Duration.ZERO, null, null, null, false), pushed::add);
    try {
      // The stream registers asynchronously: keep creating instances until one is pushed.
      List<String> instances = new ArrayList<>();
      LockedJob first = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> {
        instances.add(engine.processClient().startProcess(p.id(), Map.of("wanted", 1, "other", 2)));
        return pushed.poll();
      }, j -> j != null);
      assertThat(instances).contains(first.processInstanceId());
      assertThat(first.variables()).containsOnlyKeys("wanted");
      assertThat(first.nativeJob()).isInstanceOf(ActivatedJob.class);
      client.complete(first, "streamer", Map.of(), Map.of());
    } finally {
      stream.close();
    }
    pushed.clear();
    String afterClose = engine.processClient().startProcess(p.id(), Map.of());
    // Not pushed any more: the job waits to be polled.
    LockedJob polled = await().atMost(PATIENCE).until(() -> fetchJobOf(type, afterClose), j -> j != null);
    assertThat(pushed.poll(200, TimeUnit.MILLISECONDS)).isNull();
    client.complete(polled, "w", Map.of(), Map.of());
  }

  @Test
  void cancellingAFetchCancelsTheCall() {
    CompletableFuture<List<LockedJob>> fetch = client.fetchAndLock(FetchRequest.of("w", type(), 1, LOCK));
    fetch.cancel(true);
    assertThat(fetch).isCancelled();
    // The client stays usable.
    assertThat(client.fetchAndLock(FetchRequest.of("w", type(), 1, LOCK)).join()).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  private TestProcess deploy(TestProcess p) {
    engine.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(Dialect.ZEEBE)));
    return p;
  }

  private LockedJob fetchOne(String type) {
    return fetchOne(FetchRequest.of("w", type, 1, LOCK));
  }

  private LockedJob fetchOne(FetchRequest request) {
    return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> {
      List<LockedJob> jobs = client.fetchAndLock(request).get(30, TimeUnit.SECONDS);
      return jobs.isEmpty() ? null : jobs.get(0);
    }, j -> j != null);
  }

  private LockedJob fetchJobOf(String type, String instance) throws Exception {
    for (LockedJob j : client.fetchAndLock(FetchRequest.of("w", type, 10, LOCK)).get(30, TimeUnit.SECONDS)) {
      if (j.processInstanceId().equals(instance)) {
        return j;
      }
    }
    return null;
  }

  /** The latest JOB event of this intent for the instance, or null. */
  private JsonNode jobEvent(String instance, String intent) throws Exception {
    JsonNode found = null;
    for (String line : zeebe.records()) {
      if (line.contains("\"valueType\":\"JOB\"") && line.contains("\"intent\":\"" + intent + "\"")
          && line.contains("\"processInstanceKey\":" + instance) && line.contains("\"recordType\":\"EVENT\"")) {
        found = Json.MAPPER.readTree(line);
      }
    }
    return found;
  }

  private static LockedJob withKey(LockedJob job, long key) {
    return LockedJob.builder().engine(job.engine()).id(Long.toString(key)).topic(job.topic())
        .processInstanceId(job.processInstanceId()).elementId(job.elementId())
        .lockExpiresAt(job.lockExpiresAt()).retries(job.retries()).nativeJob(Long.toString(key)).build();
  }

  private static String type() {
    return "t-" + UUID.randomUUID();
  }

  private static String id() {
    return "p_" + UUID.randomUUID().toString().replace("-", "");
  }
}
