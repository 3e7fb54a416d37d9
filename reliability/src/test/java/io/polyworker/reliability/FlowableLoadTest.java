package io.polyworker.reliability;

import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.FlowableUnderTest;

/**
 * {@link LoadContract} on Flowable with the full 5,000 jobs (about 60 s on a 2-core machine);
 * {@code -Dflowable.load.jobs=N} runs another size.
 */
class FlowableLoadTest extends LoadContract {
  @Override
  protected EngineUnderTest target() {
    return new FlowableUnderTest();
  }

  @Override
  protected int jobs() {
    return Integer.getInteger("flowable.load.jobs", 5_000);
  }
}
