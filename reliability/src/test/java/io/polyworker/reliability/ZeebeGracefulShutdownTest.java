package io.polyworker.reliability;

import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.ZeebeUnderTest;

/** {@link GracefulShutdownContract} on Zeebe (release = fail with the same retries and no backoff). */
class ZeebeGracefulShutdownTest extends GracefulShutdownContract {
  @Override
  protected EngineUnderTest target() {
    return new ZeebeUnderTest();
  }
}
