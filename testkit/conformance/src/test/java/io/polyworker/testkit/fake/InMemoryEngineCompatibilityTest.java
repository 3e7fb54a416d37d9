package io.polyworker.testkit.fake;

import io.polyworker.testkit.EngineCompatibilityKit;
import io.polyworker.testkit.EngineFixture;

/**
 * The in-memory engine passes the same contracts as the real engines. Long polling stays off here to
 * keep the kit fast; the runtime tests cover the long-polling engine.
 */
class InMemoryEngineCompatibilityTest extends EngineCompatibilityKit {
  @Override
  protected EngineFixture createFixture() {
    return new InMemoryFixture(InMemoryEngine.create());
  }
}
