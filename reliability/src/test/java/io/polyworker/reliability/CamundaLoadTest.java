package io.polyworker.reliability;

import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.EngineUnderTest;

/** {@link LoadContract} on Camunda 7: 5,000 process instances (2,000 on JDK 17), one external task each. */
class CamundaLoadTest extends LoadContract {
  @Override
  protected EngineUnderTest target() {
    return new CamundaUnderTest();
  }
}
