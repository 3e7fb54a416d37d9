package io.polyworker.reliability;

import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.EngineUnderTest;

/** {@link GracefulShutdownContract} on Camunda 7 (release = unlock). */
class CamundaGracefulShutdownTest extends GracefulShutdownContract {
  @Override
  protected EngineUnderTest target() {
    return new CamundaUnderTest();
  }
}
