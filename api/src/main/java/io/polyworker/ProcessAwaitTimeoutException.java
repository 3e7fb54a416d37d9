package io.polyworker;

import java.time.Duration;

/**
 * The process instance did not end within the time {@link ProcessClient#startProcessAndAwait}
 * waited. It still runs: follow it later with {@link #processInstanceId()}.
 */
public class ProcessAwaitTimeoutException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  private final String processInstanceId;

  public ProcessAwaitTimeoutException(String engine, String processInstanceId, Duration waited) {
    super(engine, "startProcessAndAwait", -1, null, "process instance " + processInstanceId
        + " did not end within " + waited + "; it is still running", null);
    this.processInstanceId = processInstanceId;
  }

  /** The instance that is still running. */
  public String processInstanceId() {
    return processInstanceId;
  }
}
