package io.polyworker;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The end state of a process instance that {@link ProcessClient#startProcessAndAwait} followed to
 * its end.
 *
 * @param processInstanceId the instance id
 * @param variables its process-scope variables at the end (all, or those asked for)
 */
public record ProcessResult(String processInstanceId, Map<String, @Nullable Object> variables) {
  public ProcessResult {
    variables = JobResult.copy(variables, "variables");
  }
}
