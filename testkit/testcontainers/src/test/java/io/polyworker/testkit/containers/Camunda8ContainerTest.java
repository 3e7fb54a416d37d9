package io.polyworker.testkit.containers;

import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.EngineEndpoint;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Camunda 8.8 (Zeebe) in the official image ({@value Camunda8Container#DEFAULT_IMAGE}): one external task completed by a worker. Runs
 * only where a Docker engine is reachable; elsewhere JUnit reports it as skipped, with Testcontainers'
 * reason, and never as passed.
 */
@Testcontainers(disabledWithoutDocker = true)
class Camunda8ContainerTest {

  @Test
  void aWorkerCompletesTheOnlyTaskOfAProcessInTheContainer() {
    EngineEndpoint endpoint = Camunda8Container.shared();
    OneTaskRoundTrip.run(endpoint, "zeebe", Dialect.ZEEBE);
  }
}
