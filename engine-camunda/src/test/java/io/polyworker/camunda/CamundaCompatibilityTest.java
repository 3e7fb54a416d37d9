package io.polyworker.camunda;

import io.polyworker.testkit.EngineCompatibilityKit;
import io.polyworker.testkit.EngineFixture;
import io.polyworker.testkit.engines.LocalCamunda;

/** Runs the conformance kit against a real Camunda 7.24 server. */
class CamundaCompatibilityTest extends EngineCompatibilityKit {
  @Override
  protected EngineFixture createFixture() {
    return new CamundaFixture(LocalCamunda.shared());
  }
}
