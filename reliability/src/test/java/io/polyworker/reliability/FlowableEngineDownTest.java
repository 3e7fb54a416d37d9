package io.polyworker.reliability;

import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.FlowableUnderTest;

/** {@link EngineDownContract} on Flowable (the server is killed with SIGKILL and restarted on its file database). */
class FlowableEngineDownTest extends EngineDownContract {
  @Override
  protected EngineUnderTest target() {
    return new FlowableUnderTest();
  }
}
