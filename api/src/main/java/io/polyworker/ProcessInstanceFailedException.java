package io.polyworker;

/**
 * A process instance that {@link ProcessClient#startProcessAndAwait} followed stopped short of its
 * end: an incident was raised, or it was cancelled. {@link #detail()} says which and why.
 */
public class ProcessInstanceFailedException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  private final String processInstanceId;

  public ProcessInstanceFailedException(String engine, String processInstanceId, String reason) {
    super(engine, "startProcessAndAwait", -1, null, "process instance " + processInstanceId + " "
        + reason, null);
    this.processInstanceId = processInstanceId;
  }

  /** The instance concerned. */
  public String processInstanceId() {
    return processInstanceId;
  }
}
