package io.polyworker;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What to start: a process key plus optional variables, business key, version and tenant. Immutable;
 * made with {@link #of(String)} and the {@code with…} methods.
 *
 * @param processKey BPMN process id
 * @param variables variables of the new instance
 * @param businessKey business key (Camunda, Flowable); Zeebe has none and ignores it
 * @param version a definition version, or null for the latest
 * @param tenantId a tenant, or null for the engine's default
 * @param fetchVariables for {@link ProcessClient#startProcessAndAwait}: names of the end-state
 *     variables to return, or null for all
 */
public record StartProcess(String processKey, Map<String, @Nullable Object> variables,
    @Nullable String businessKey, @Nullable Integer version, @Nullable String tenantId,
    @Nullable List<String> fetchVariables) {

  public StartProcess {
    if (processKey == null || processKey.isBlank()) {
      throw new IllegalArgumentException("processKey is blank");
    }
    variables = JobResult.copy(variables, "variables");
    if (version != null && version < 1) {
      throw new IllegalArgumentException("version < 1: " + version);
    }
    if (businessKey != null && businessKey.isBlank()) {
      throw new IllegalArgumentException("businessKey is blank");
    }
    if (tenantId != null && tenantId.isBlank()) {
      throw new IllegalArgumentException("tenantId is blank");
    }
    fetchVariables = fetchVariables == null ? null : List.copyOf(fetchVariables);
  }

  /** Starts the latest version of this process, without variables. */
  public static StartProcess of(String processKey) {
    return new StartProcess(processKey, Map.of(), null, null, null, null);
  }

  /** The same request with these variables. */
  public StartProcess withVariables(Map<String, ? extends @Nullable Object> v) {
    return new StartProcess(processKey, JobResult.copy(Objects.requireNonNull(v), "variables"),
        businessKey, version, tenantId, fetchVariables);
  }

  /** The same request with this business key (ignored on Zeebe, which has none; logged once). */
  public StartProcess withBusinessKey(@Nullable String key) {
    return new StartProcess(processKey, variables, key, version, tenantId, fetchVariables);
  }

  /** The same request for a definition version. */
  public StartProcess withVersion(@Nullable Integer v) {
    return new StartProcess(processKey, variables, businessKey, v, tenantId, fetchVariables);
  }

  /** The same request for a tenant. */
  public StartProcess withTenantId(@Nullable String tenant) {
    return new StartProcess(processKey, variables, businessKey, version, tenant, fetchVariables);
  }

  /** The same request returning only these variables from {@link ProcessClient#startProcessAndAwait}. */
  public StartProcess withFetchVariables(@Nullable List<String> names) {
    return new StartProcess(processKey, variables, businessKey, version, tenantId, names);
  }
}
