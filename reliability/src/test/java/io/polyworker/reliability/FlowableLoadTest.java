package io.polyworker.reliability;

import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.FlowableUnderTest;

/**
 * {@link LoadContract} on Flowable with the contract's size (5,000 jobs on a JDK 21+, about 60 s on a
 * 2-core machine; 2,000 on JDK 17); {@code -Dflowable.load.jobs=N} runs another size.
 */
class FlowableLoadTest extends LoadContract {
  @Override
  protected EngineUnderTest target() {
    return new FlowableUnderTest();
  }

  @Override
  protected int jobs() {
    return Integer.getInteger("flowable.load.jobs", defaultJobs());
  }
}
