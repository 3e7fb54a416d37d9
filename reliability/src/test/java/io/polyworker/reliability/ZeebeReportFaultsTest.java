package io.polyworker.reliability;

import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.ZeebeUnderTest;

/** {@link ReportFaultsContract} on Zeebe. */
class ZeebeReportFaultsTest extends ReportFaultsContract {
  @Override
  protected EngineUnderTest target() {
    return new ZeebeUnderTest();
  }
}
