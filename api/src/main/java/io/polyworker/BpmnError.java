package io.polyworker;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by a {@link JobHandler} to raise a BPMN error, which a boundary or event-subprocess error
 * event in the model may catch. Equivalent to returning {@link JobResult#bpmnError}. This is a
 * business outcome, not a failure, so it is deliberately not a {@link PolyworkerException}.
 */
public class BpmnError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String errorCode;
  private final transient Map<String, @Nullable Object> variables;

  /** A BPMN error with a code and a message. */
  public BpmnError(String errorCode, String message) {
    this(errorCode, message, Map.of());
  }

  /** A BPMN error with a code, a message and variables to set where the error is caught. */
  public BpmnError(String errorCode, String message, Map<String, ? extends @Nullable Object> variables) {
    super(message, null, false, false);
    if (errorCode == null || errorCode.isBlank()) {
      throw new IllegalArgumentException("errorCode is blank");
    }
    this.errorCode = errorCode;
    this.variables = JobResult.copy(variables, "variables");
  }

  /** The BPMN error code. */
  public String errorCode() {
    return errorCode;
  }

  /** Variables sent with the error. */
  public Map<String, @Nullable Object> variables() {
    return variables;
  }
}
