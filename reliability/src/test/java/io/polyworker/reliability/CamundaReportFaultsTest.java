package io.polyworker.reliability;

import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.EngineUnderTest;

/** {@link ReportFaultsContract} on Camunda 7. */
class CamundaReportFaultsTest extends ReportFaultsContract {
  @Override
  protected EngineUnderTest target() {
    return new CamundaUnderTest();
  }
}
