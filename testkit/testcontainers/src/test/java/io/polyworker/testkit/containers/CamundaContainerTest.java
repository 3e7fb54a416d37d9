package io.polyworker.testkit.containers;

import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.EngineEndpoint;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Camunda 7 Run in the official image ({@value CamundaContainer#DEFAULT_IMAGE}): one external task completed by a worker. Runs
 * only where a Docker engine is reachable; elsewhere JUnit reports it as skipped, with Testcontainers'
 * reason, and never as passed.
 */
@Testcontainers(disabledWithoutDocker = true)
class CamundaContainerTest {

  @Test
  void aWorkerCompletesTheOnlyTaskOfAProcessInTheContainer() {
    EngineEndpoint endpoint = CamundaContainer.shared();
    OneTaskRoundTrip.run(endpoint, "camunda", Dialect.CAMUNDA);
  }
}
