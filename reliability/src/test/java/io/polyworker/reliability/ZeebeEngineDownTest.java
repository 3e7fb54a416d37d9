package io.polyworker.reliability;

import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.ZeebeUnderTest;

/** {@link EngineDownContract} on Zeebe (the in-memory engine cannot restart with its data, so the proxy cuts and refuses connections for the outage). */
class ZeebeEngineDownTest extends EngineDownContract {
  @Override
  protected EngineUnderTest target() {
    return new ZeebeUnderTest();
  }
}
