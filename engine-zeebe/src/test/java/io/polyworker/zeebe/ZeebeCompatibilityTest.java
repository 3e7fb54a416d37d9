package io.polyworker.zeebe;

import io.polyworker.testkit.EngineCompatibilityKit;
import io.polyworker.testkit.EngineFixture;
import io.polyworker.testkit.engines.LocalZeebe;

/** Runs the conformance kit against a real Zeebe 8.8 engine (in-memory, in a Java 21+ child JVM). */
class ZeebeCompatibilityTest extends EngineCompatibilityKit {
  @Override
  protected EngineFixture createFixture() {
    return new ZeebeFixture(LocalZeebe.shared());
  }
}
