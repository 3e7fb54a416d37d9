package io.polyworker.reliability;

import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.FlowableUnderTest;

/**
 * {@link LoadContract} on Flowable with 2,000 jobs by default, to keep the module within its time
 * budget: 5,000 jobs pass too (measured in RELIABILITY.md) but take about 75 s on a 2-core machine.
 * {@code -Dflowable.load.jobs=5000} runs the full size.
 */
class FlowableLoadTest extends LoadContract {
  @Override
  protected EngineUnderTest target() {
    return new FlowableUnderTest();
  }

  @Override
  protected int jobs() {
    return Integer.getInteger("flowable.load.jobs", 2_000);
  }
}
