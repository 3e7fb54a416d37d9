package io.polyworker.reliability;

import static io.polyworker.WorkerEvent.Type.FAILED;
import static io.polyworker.WorkerEvent.Type.REPORT_FAILED;
import static io.polyworker.WorkerEvent.Type.REPORT_RETRIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.SubscriptionOptions;
import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.Measured;
import io.polyworker.reliability.support.RestJson;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Camunda only: a failure report whose answer is lost after the engine acted. The runtime sends
 * the retries left as an absolute number, so sending the same failure twice must leave the task
 * with the retries the handler decided, and one incident, not two.
 */
class CamundaFailureReportTest {
  private final CamundaUnderTest camunda = new CamundaUnderTest();

  @Test
  @DisplayName("a failure whose answer was lost is sent again: same retries left, one incident")
  void failureAnswerLost() {
    try (Scenario s = new Scenario(camunda, "failagain")) {
      String instance = s.startOne();
      s.proxy.count("/failure ");
      s.proxy.resetResponsesTo("/failure ", 1);
      s.worker("w-fail", job -> {
        throw new IllegalStateException("payment service says no");
      }, SubscriptionOptions.builder().maxConcurrentJobs(1).defaultRetries(1)
          .longPollTimeout(Duration.ofSeconds(1)).build());
      await().atMost(Duration.ofSeconds(30)).until(() -> s.events.count(FAILED) + s.events.count(REPORT_FAILED) >= 1);

      JsonNode incidents = RestJson.get(camunda.restUrl() + "/incident?processInstanceId=" + instance);
      JsonNode task = RestJson.get(camunda.restUrl() + "/external-task?processInstanceId=" + instance).get(0);
      long failureLogs = camunda.taskLog(instance).stream().filter(l -> l.path("failureLog").asBoolean()).count();
      Measured.report("report-failure-answer-lost/camunda",
          "answer to a failure (retries 0) lost after the engine acted: %d failure requests, REPORT_RETRIED=%d, "
              + "FAILED=%d; engine: %d failure log entries, retries left %s, %d incident(s)",
          s.proxy.counted("/failure "), s.events.count(REPORT_RETRIED), s.events.count(FAILED), failureLogs,
          task.path("retries").asText(), incidents.size());
      assertThat(task.path("retries").asInt()).isZero();
      assertThat(task.path("errorMessage").asText()).contains("payment service says no");
      assertThat(incidents.size()).as("incidents of the instance").isEqualTo(1);
    }
  }
}
