package io.polyworker.zeebe.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.camunda.client.api.command.CommandWithOneOrMoreTenantsStep;
import io.camunda.client.api.response.ActivatedJob;
import io.polyworker.MalformedAnswerException;
import io.polyworker.VariableException;
import io.polyworker.internal.Json;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.zeebe.ZeebeEngine;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * Converts between the client's jobs and Polyworker's: keys as decimal strings, the variables
 * document decoded through {@link Json#MAPPER} into plain maps, lists, numbers, strings, booleans and
 * nulls, and variables encoded by the same mapper (so dates become ISO-8601 strings and POJOs JSON
 * objects on every path, whatever the client's own mapper would do). A {@code byte[]} variable is
 * refused: Zeebe has no binary type, and Jackson would write a Base64 string that the engine, its
 * expressions and every later job see as a String, a change nobody asked for. A {@code BigDecimal} is
 * refused for the same reason: Zeebe keeps JSON numbers as doubles (a decimal written as
 * 12345678901234567890.10 is read back as 1.2345678901234567E19).
 */
final class ZeebeJobs {
  /** Zeebe's name for the tenant of a cluster without multi-tenancy. */
  static final String DEFAULT_TENANT = "<default>";

  private static final TypeReference<LinkedHashMap<String, @Nullable Object>> MAP =
      new TypeReference<>() {};

  private ZeebeJobs() {}

  /**
   * @param only the variable names asked for, or null for all; an empty list means none (Zeebe
   *     itself would answer an empty list with all variables)
   */
  static LockedJob toLocked(ActivatedJob job, @Nullable List<String> only) {
    Map<String, @Nullable Object> variables;
    try {
      variables = only != null && only.isEmpty() ? Map.of() : decode(job.getVariables(), job.getKey());
    } catch (MalformedAnswerException e) {
      // Activated for us but unreadable: the runtime fails it with the reason.
      return LockedJob.unreadable(ZeebeEngine.ID, Long.toString(job.getKey()), job.getType(),
          job.getRetries(), Instant.ofEpochMilli(job.getDeadline()), job, e);
    }
    String tenant = job.getTenantId();
    return LockedJob.builder()
        .engine(ZeebeEngine.ID)
        .id(Long.toString(job.getKey()))
        .topic(job.getType())
        .processInstanceId(Long.toString(job.getProcessInstanceKey()))
        .processDefinitionKey(job.getBpmnProcessId())
        .elementId(job.getElementId())
        .tenantId(tenant == null || tenant.isEmpty() || tenant.equals(DEFAULT_TENANT) ? null : tenant)
        .retries(job.getRetries())
        .lockExpiresAt(Instant.ofEpochMilli(job.getDeadline()))
        .headers(job.getCustomHeaders() == null ? Map.of() : job.getCustomHeaders())
        .variables(variables)
        .nativeJob(job)
        .build();
  }

  /**
   * A fetch's filters on an activation or a stream command: the variables asked for (an empty list
   * adds none, as Zeebe would answer it with all; {@link #toLocked} drops them instead) and the
   * tenants.
   *
   * @param fetchVariables the command's {@code fetchVariables(List)}
   */
  static <C extends CommandWithOneOrMoreTenantsStep<C>> C filtered(C command, FetchRequest request,
      BiFunction<C, List<String>, C> fetchVariables) {
    List<String> variables = request.variables();
    if (variables != null && !variables.isEmpty()) {
      command = fetchVariables.apply(command, variables);
    }
    List<String> tenants = request.tenantIds();
    if (tenants != null) {
      command = command.tenantIds(tenants);
    }
    return command;
  }

  static Map<String, @Nullable Object> decode(@Nullable String json, long jobKey) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      Map<String, @Nullable Object> map = Json.MAPPER.readValue(json, MAP);
      return map == null ? Map.of() : map;
    } catch (JsonProcessingException e) {
      throw new MalformedAnswerException(ZeebeEngine.ID, "fetchAndLock", -1, json,
          "the variables of job " + jobKey + " are not a JSON object: " + e.getOriginalMessage(), e);
    }
  }

  /** The variables as one JSON object, or null when there are none. */
  static @Nullable String encode(Map<String, ? extends @Nullable Object> variables, String operation) {
    if (variables.isEmpty()) {
      return null;
    }
    for (Map.Entry<String, ? extends @Nullable Object> e : variables.entrySet()) {
      if (e.getValue() instanceof byte[]) {
        throw new VariableException(ZeebeEngine.ID, operation, -1, null, "variable '" + e.getKey()
            + "' is a byte[]: Zeebe has no binary variable type, so it would be stored as a Base64"
            + " string and read back as a String; send it as a Base64 String yourself, or keep the"
            + " bytes outside the process", null);
      }
      if (e.getValue() instanceof BigDecimal) {
        throw new VariableException(ZeebeEngine.ID, operation, -1, null, "variable '" + e.getKey()
            + "' is a BigDecimal: Zeebe has no decimal type and keeps JSON numbers as doubles, losing"
            + " digits and scale; send it as a String (toPlainString()) or convert it to a Double"
            + " yourself", null);
      }
    }
    try {
      return Json.MAPPER.writeValueAsString(variables);
    } catch (JsonProcessingException e) {
      throw new VariableException(ZeebeEngine.ID, operation, -1, null,
          culprit(variables) + " cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static String culprit(Map<String, ? extends @Nullable Object> variables) {
    for (Map.Entry<String, ? extends @Nullable Object> e : variables.entrySet()) {
      try {
        Json.MAPPER.writeValueAsString(e.getValue());
      } catch (JsonProcessingException failed) {
        return "variable '" + e.getKey() + "'";
      }
    }
    return "the variables";
  }

  static long key(LockedJob job) {
    Object nativeJob = job.nativeJob();
    if (nativeJob instanceof ActivatedJob a) {
      return a.getKey();
    }
    try {
      return Long.parseLong(job.id());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a Zeebe job: " + job, e);
    }
  }
}
