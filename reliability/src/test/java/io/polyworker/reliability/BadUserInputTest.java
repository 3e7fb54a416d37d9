package io.polyworker.reliability;

import static io.polyworker.WorkerEvent.Type.COMPLETED;
import static io.polyworker.WorkerEvent.Type.FAILED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerOptions;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.Measured;
import io.polyworker.reliability.support.Outcome;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input from the user. Invalid options must fail when they are set or built, naming the option;
 * this covers the options the existing tests do not ({@code OptionsAndConfigTest} in the conformance
 * kit covers negative durations, zero concurrency, blank and duplicate topics, filters an engine lacks,
 * configuration keys; {@code CamundaAuthAndErrorsTest} covers the Camunda builder's baseUrl,
 * requestTimeout and blank bearer token). Result variables that cannot be serialized must fail the job
 * in the real engine with the reason.
 */
class BadUserInputTest {

  static Stream<Arguments> invalidOptions() {
    return Stream.of(
        bad("lockDuration under 1 s", () -> SubscriptionOptions.builder().lockDuration(Duration.ofMillis(500)), "lockDuration"),
        bad("lockDuration null", () -> SubscriptionOptions.builder().lockDuration(null), "lockDuration"),
        bad("longPollTimeout over 5 min", () -> SubscriptionOptions.builder().longPollTimeout(Duration.ofMinutes(6)), "longPollTimeout"),
        bad("defaultRetries 0", () -> SubscriptionOptions.builder().defaultRetries(0), "defaultRetries"),
        bad("a blank variable name", () -> SubscriptionOptions.builder().variables(List.of("a", " ")), "variables"),
        bad("a blank tenant id", () -> SubscriptionOptions.builder().tenantIds(List.of("")), "tenantIds"),
        bad("a blank business key", () -> SubscriptionOptions.builder().businessKey(" "), "businessKey"),
        bad("a blank process definition key", () -> SubscriptionOptions.builder().processDefinitionKey(""), "processDefinitionKey"),
        bad("a blank worker id", () -> WorkerOptions.builder().workerId(" "), "workerId"),
        bad("poll error backoff initial > max", () -> WorkerOptions.builder().pollErrorBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)), "pollErrorBackoff"),
        bad("empty poll backoff of zero", () -> WorkerOptions.builder().emptyPollBackoff(Duration.ZERO, Duration.ofSeconds(1)), "emptyPollBackoffInitial"),
        bad("empty poll backoff initial > max", () -> WorkerOptions.builder().emptyPollBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)), "emptyPollBackoff"),
        bad("a null listener", () -> WorkerOptions.builder().listener(null), "listener"),
        bad("a null handler", () -> JobWorker.builder(CamundaEngine.builder().baseUrl("http://127.0.0.1:1/engine-rest").build()).subscribe("t", null), "handler"),
        bad("Camunda connectTimeout 0", () -> CamundaEngine.builder().connectTimeout(Duration.ZERO), "connectTimeout"),
        bad("Camunda negative requestTimeout", () -> CamundaEngine.builder().requestTimeout(Duration.ofSeconds(-1)), "requestTimeout"),
        bad("Camunda blank user name", () -> CamundaEngine.builder().basicAuth(" ", "pw"), "username"),
        bad("Camunda null password", () -> CamundaEngine.builder().basicAuth("alice", null), "password"),
        bad("Camunda ftp URL", () -> CamundaEngine.builder().baseUrl("ftp://127.0.0.1/engine-rest"), "baseUrl"),
        bad("configured engine without URL", () -> Engines.fromConfig(EngineConfig.fromMap(Map.of("polyworker.engine", "camunda"))), "POLYWORKER_URL"),
        bad("configured basic auth without password", () -> Engines.fromConfig(EngineConfig.fromMap(Map.of(
            "polyworker.engine", "camunda", "polyworker.url", "http://127.0.0.1:1/engine-rest", "polyworker.username", "alice"))),
            "POLYWORKER_PASSWORD"),
        bad("configured auth type unknown", () -> Engines.fromConfig(EngineConfig.fromMap(Map.of(
            "polyworker.engine", "camunda", "polyworker.url", "http://127.0.0.1:1/engine-rest", "polyworker.auth", "kerberos"))),
            "kerberos"));
  }

  private static Arguments bad(String what, ThrowingCallable call, String named) {
    return Arguments.of(what, call, named);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidOptions")
  @DisplayName("invalid options fail at once, naming the option")
  void invalidOptionFailsNamingIt(String what, ThrowingCallable call, String named) {
    assertThatThrownBy(call).as(what).isInstanceOf(RuntimeException.class).hasMessageContaining(named);
  }

  /** A result value Jackson cannot write: its getter throws. */
  public static final class Unwritable {
    public String getValue() {
      throw new IllegalStateException("this value cannot be read");
    }
  }

  @Test
  @DisplayName("a result variable that cannot be serialized fails the job in the real engine, naming the variable and the reason")
  void unserializableResultFailsTheJob() {
    CamundaUnderTest camunda = new CamundaUnderTest();
    try (Scenario s = new Scenario(camunda, "unwritable")) {
      String instance = s.startOne();
      s.worker("w-unwritable", job -> JobResult.complete(Map.of("fine", 1, "receipt", new Unwritable())),
          SubscriptionOptions.builder().defaultRetries(1).longPollTimeout(Duration.ofSeconds(1)).build());
      await().atMost(Duration.ofSeconds(30)).until(() -> s.events.count(FAILED) == 1);
      Outcome o = s.outcome(instance);
      String message = camunda.taskLog(instance).stream().filter(l -> l.path("failureLog").asBoolean())
          .map(l -> l.path("errorMessage").asText()).findFirst().orElse("");
      JsonNode task = io.polyworker.reliability.support.RestJson.get(camunda.restUrl() + "/external-task?processInstanceId=" + instance).get(0);
      Measured.report("unserializable-result/camunda", "the job failed in the engine with errorMessage: %s", message);
      assertThat(s.events.count(COMPLETED)).isZero();
      assertThat(o.completions()).isZero();
      assertThat(o.failures()).isEqualTo(1);
      assertThat(o.incident()).isTrue();
      assertThat(message).contains("receipt").contains(Unwritable.class.getName()).contains("cannot be serialized");
      assertThat(task.path("errorMessage").asText()).isEqualTo(message);
      assertThat(Arrays.asList(o.state())).containsExactly("ACTIVE");
    }
  }
}
