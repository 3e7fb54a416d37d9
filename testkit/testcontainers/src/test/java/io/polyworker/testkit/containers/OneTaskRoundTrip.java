package io.polyworker.testkit.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyworker.DeploymentResource;
import io.polyworker.JobResult;
import io.polyworker.ProcessResult;
import io.polyworker.StartProcess;
import io.polyworker.engine.Engine;
import io.polyworker.engine.Engines;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.EngineEndpoint;
import io.polyworker.worker.JobWorker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every test of this module does with an engine, local or in a container, through nothing but
 * {@link EngineEndpoint}: build the engine with {@code Engines.fromConfig(endpoint.config())}, deploy a
 * process with one external task, start it and wait for its end while a {@link JobWorker} completes
 * the task with a variable, then check that variable in the instance's end state.
 */
final class OneTaskRoundTrip {

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private OneTaskRoundTrip() {}

  static void run(EngineEndpoint endpoint, String expectedEngineId, Dialect dialect) {
    assertThat(endpoint.engineId()).isEqualTo(expectedEngineId);
    assertThat(endpoint.config().engine()).isEqualTo(expectedEngineId);
    String key = "roundtrip_" + SEQUENCE.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    String topic = key + "-topic";
    TestProcess process = TestProcess.named(key).task("task", topic);
    try (Engine engine = Engines.fromConfig(endpoint.config())) {
      assertThat(engine.id()).isEqualTo(expectedEngineId);
      engine.processClient().deploy(DeploymentResource.of(process.resourceName(), process.toXml(dialect)));
      AtomicInteger handled = new AtomicInteger();
      try (JobWorker worker = JobWorker.builder(engine)
          .subscribe(topic, job -> {
            handled.incrementAndGet();
            return JobResult.complete(Map.of("handledBy", "polyworker"));
          })
          .build()) {
        worker.start();
        ProcessResult result = engine.processClient().startProcessAndAwait(StartProcess.of(key), Duration.ofSeconds(90));
        assertThat(result.variables()).containsEntry("handledBy", "polyworker");
        assertThat(handled).hasValue(1);
      }
    }
  }
}
