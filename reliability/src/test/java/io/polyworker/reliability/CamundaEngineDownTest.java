package io.polyworker.reliability;

import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.EngineUnderTest;

/** {@link EngineDownContract} on Camunda 7: the server is killed with SIGKILL and restarted on its file database. */
class CamundaEngineDownTest extends EngineDownContract {
  @Override
  protected EngineUnderTest target() {
    return new CamundaUnderTest();
  }
}
