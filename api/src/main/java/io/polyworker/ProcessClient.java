package io.polyworker;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Drives processes the same way on every engine. Thread-safe. Every failure is a
 * {@link PolyworkerException} subtype naming the engine and the operation.
 */
public interface ProcessClient {

  /**
   * Deploys the resources in one deployment.
   *
   * @return the definitions the engine created, one per process (or case) in the resources
   * @throws InvalidDefinitionException with the engine's parse message when a resource is invalid
   */
  List<DeployedDefinition> deploy(DeploymentResource... resources);

  /** Starts the latest version of the process with this key; returns the instance id. */
  default String startProcess(String processKey, Map<String, ? extends @Nullable Object> variables) {
    return startProcess(processKey, variables, null);
  }

  /**
   * Starts the latest version of the process with this key and a business key (ignored on engines
   * without business keys: Zeebe); returns the instance id.
   *
   * @throws NotFoundException when no process with that key is deployed
   */
  String startProcess(String processKey, Map<String, ? extends @Nullable Object> variables,
      @Nullable String businessKey);
}
