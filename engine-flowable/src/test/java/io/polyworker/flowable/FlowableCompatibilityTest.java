package io.polyworker.flowable;

import io.polyworker.testkit.EngineCompatibilityKit;
import io.polyworker.testkit.EngineFixture;
import io.polyworker.testkit.engines.LocalFlowable;

/** Every engine contract, against a real Flowable 7.2 server. */
class FlowableCompatibilityTest extends EngineCompatibilityKit {
  @Override
  protected EngineFixture createFixture() {
    return new FlowableFixture(LocalFlowable.shared());
  }
}
