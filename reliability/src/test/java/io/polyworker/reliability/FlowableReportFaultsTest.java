package io.polyworker.reliability;

import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.FlowableUnderTest;

/** {@link ReportFaultsContract} on Flowable. */
class FlowableReportFaultsTest extends ReportFaultsContract {
  @Override
  protected EngineUnderTest target() {
    return new FlowableUnderTest();
  }
}
