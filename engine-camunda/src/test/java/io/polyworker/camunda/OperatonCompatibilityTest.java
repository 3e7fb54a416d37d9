package io.polyworker.camunda;

import io.polyworker.testkit.EngineCompatibilityKit;
import io.polyworker.testkit.EngineFixture;
import io.polyworker.testkit.engines.LocalOperaton;

/** Runs the conformance kit against a real Operaton 1.0 server, through the same engine id "camunda". */
class OperatonCompatibilityTest extends EngineCompatibilityKit {
  @Override
  protected EngineFixture createFixture() {
    return new CamundaFixture(LocalOperaton.shared());
  }
}
