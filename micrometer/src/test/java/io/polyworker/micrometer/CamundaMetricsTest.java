package io.polyworker.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.polyworker.BpmnError;
import io.polyworker.DeploymentResource;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerOptions;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.engine.Engine;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.CamundaHistory;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.worker.JobWorker;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The counters against what a real Camunda 7 recorded in its external task log. */
class CamundaMetricsTest {

  @Test
  void everyCounterEqualsTheEnginesOwnCount() {
    LocalCamunda camunda = LocalCamunda.shared();
    CamundaHistory history = camunda.history();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String topic = "charge-" + run;
    String afterDecline = "after-decline-" + run;
    TestProcess process = TestProcess.named("metrics_" + run.replace('-', '_')).task("charge", topic)
        .catchError("charge", "DECLINED", afterDecline);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JobWorkerMetrics metrics = JobWorkerMetrics.create(registry);
    int completes = 5;
    int declines = 3;
    int flaky = 2;
    Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    try (Engine engine = CamundaEngine.builder().baseUrl(camunda.restUrl()).build()) {
      engine.processClient().deploy(DeploymentResource.of(process.resourceName(), process.toXml(Dialect.CAMUNDA)));
      for (int i = 0; i < completes; i++) {
        engine.processClient().startProcess(process.id(), Map.of("kind", "ok"));
      }
      for (int i = 0; i < declines; i++) {
        engine.processClient().startProcess(process.id(), Map.of("kind", "decline"));
      }
      for (int i = 0; i < flaky; i++) {
        engine.processClient().startProcess(process.id(), Map.of("kind", "flaky"));
      }
      try (JobWorker worker = metrics.bindTo(JobWorker.builder(engine)
          .options(WorkerOptions.builder().workerId("metrics-" + run).listener(metrics).build())
          .subscribe(topic, job -> {
            String kind = job.variables().get("kind", String.class);
            if ("decline".equals(kind)) {
              throw new BpmnError("DECLINED", "card declined");
            }
            if ("flaky".equals(kind) && failedOnce.add(job.processInstanceId())) {
              throw new IllegalStateException("first attempt fails");
            }
            return JobResult.complete(Map.of("charged", true));
          }, SubscriptionOptions.builder().maxConcurrentJobs(4).retryBackoff(Duration.ofMillis(200))
              .longPollTimeout(Duration.ofSeconds(1)).build()) // close() waits for the open long poll
          .build())) {
        worker.start();
        await().atMost(Duration.ofSeconds(60)).until(() ->
            history.count("/history/external-task-log/count?topicName=" + topic + "&successLog=true")
                == completes + flaky
            && history.count("/history/external-task-log/count?topicName=" + afterDecline + "&creationLog=true")
                == declines);
        await().atMost(Duration.ofSeconds(10)).until(() ->
            registry.find(JobWorkerMetrics.REPORTED).tag("topic", topic).counters().stream()
                .mapToDouble(c -> c.count()).sum() == completes + declines + 2 * flaky);
      }
    }
    int engineCompleted = history.count("/history/external-task-log/count?topicName=" + topic + "&successLog=true");
    int engineFailed = history.count("/history/external-task-log/count?topicName=" + topic + "&failureLog=true");
    int engineDeclined = history.count("/history/external-task-log/count?topicName=" + afterDecline + "&creationLog=true");
    int engineCreated = history.count("/history/external-task-log/count?topicName=" + topic + "&creationLog=true");
    assertThat(reported(registry, topic, "completed")).isEqualTo(engineCompleted).isEqualTo(completes + flaky);
    assertThat(reported(registry, topic, "failed")).isEqualTo(engineFailed).isEqualTo(flaky);
    assertThat(reported(registry, topic, "bpmn_error")).isEqualTo(engineDeclined).isEqualTo(declines);
    // Each task is activated once per attempt: its creation plus the retry of each failure.
    assertThat(registry.get(JobWorkerMetrics.ACTIVATED).tag("topic", topic).counter().count())
        .isEqualTo(engineCreated + engineFailed);
    assertThat(registry.get(JobWorkerMetrics.LOCK_LOST).tag("topic", topic).counter().count()).isZero();
    assertThat(registry.get(JobWorkerMetrics.QUEUE).tag("topic", topic).timer().count())
        .isEqualTo(engineCreated + engineFailed);
  }

  private static double reported(SimpleMeterRegistry registry, String topic, String outcome) {
    return registry.get(JobWorkerMetrics.REPORTED).tag("topic", topic).tag("outcome", outcome).counter().count();
  }
}
