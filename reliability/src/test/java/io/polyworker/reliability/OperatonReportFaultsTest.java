package io.polyworker.reliability;

import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.testkit.engines.LocalOperaton;

/** {@link ReportFaultsContract} on Operaton, the Camunda 7 fork. */
class OperatonReportFaultsTest extends ReportFaultsContract {
  @Override
  protected EngineUnderTest target() {
    return new CamundaUnderTest(LocalOperaton.shared());
  }
}
