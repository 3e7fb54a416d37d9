package io.polyworker.testkit.containers;

import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.EngineEndpoint;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Flowable REST in the official image ({@value FlowableContainer#DEFAULT_IMAGE}): one external task completed by a worker. Runs
 * only where a Docker engine is reachable; elsewhere JUnit reports it as skipped, with Testcontainers'
 * reason, and never as passed.
 */
@Testcontainers(disabledWithoutDocker = true)
class FlowableContainerTest {

  @Test
  void aWorkerCompletesTheOnlyTaskOfAProcessInTheContainer() {
    EngineEndpoint endpoint = FlowableContainer.shared();
    OneTaskRoundTrip.run(endpoint, "flowable", Dialect.FLOWABLE);
  }
}
