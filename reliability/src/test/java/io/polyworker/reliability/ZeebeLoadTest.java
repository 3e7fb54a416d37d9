package io.polyworker.reliability;

import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.ZeebeUnderTest;

/**
 * {@link LoadContract} on Zeebe with 1,000 jobs by default, to keep the module within its time budget:
 * the in-memory engine of zeebe-process-test runs on one thread and its record log can only be read
 * whole, so 5,000 jobs pass (measured in RELIABILITY.md) but take minutes.
 * {@code -Dzeebe.load.jobs=5000} runs the full size.
 */
class ZeebeLoadTest extends LoadContract {
  @Override
  protected EngineUnderTest target() {
    return new ZeebeUnderTest();
  }

  @Override
  protected int jobs() {
    return Integer.getInteger("zeebe.load.jobs", 1_000);
  }
}
