package io.polyworker.reliability;

import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.FlowableUnderTest;

/** {@link GracefulShutdownContract} on Flowable (release = unacquire). */
class FlowableGracefulShutdownTest extends GracefulShutdownContract {
  @Override
  protected EngineUnderTest target() {
    return new FlowableUnderTest();
  }
}
