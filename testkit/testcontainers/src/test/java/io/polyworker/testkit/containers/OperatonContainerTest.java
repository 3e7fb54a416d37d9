package io.polyworker.testkit.containers;

import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.EngineEndpoint;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Operaton in the official image ({@value OperatonContainer#DEFAULT_IMAGE}): one external task completed by a worker. Runs
 * only where a Docker engine is reachable; elsewhere JUnit reports it as skipped, with Testcontainers'
 * reason, and never as passed.
 */
@Testcontainers(disabledWithoutDocker = true)
class OperatonContainerTest {

  @Test
  void aWorkerCompletesTheOnlyTaskOfAProcessInTheContainer() {
    EngineEndpoint endpoint = OperatonContainer.shared();
    OneTaskRoundTrip.run(endpoint, "camunda", Dialect.CAMUNDA);
  }
}
