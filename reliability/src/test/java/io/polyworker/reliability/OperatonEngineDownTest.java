package io.polyworker.reliability;

import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.testkit.engines.LocalOperaton;

/** {@link EngineDownContract} on Operaton, the Camunda 7 fork: the server is killed with SIGKILL and restarted on its file database. */
class OperatonEngineDownTest extends EngineDownContract {
  @Override
  protected EngineUnderTest target() {
    return new CamundaUnderTest(LocalOperaton.shared());
  }
}
