package io.polyworker.reliability;

import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.testkit.engines.LocalOperaton;

/** {@link LoadContract} on Operaton, the Camunda 7 fork, with the same workers and faults. */
class OperatonLoadTest extends LoadContract {
  @Override
  protected EngineUnderTest target() {
    return new CamundaUnderTest(LocalOperaton.shared());
  }

  /** A fifth of Camunda 7's backlog: the fork's REST API under the same contention, within the CI budget. */
  @Override
  protected int jobs() {
    return 1_000;
  }
}
