package io.polyworker;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message to publish. Immutable; made with {@link #of(String, String)} and the {@code with…}
 * methods. See {@link ProcessClient#publishMessage(PublishMessage)} for what each field means on
 * each engine.
 *
 * @param name the message name in the model
 * @param correlationKey the value to correlate on
 * @param variables variables to set in the receiving instance
 * @param timeToLive how long the message may wait for a subscription; zero: correlate now or never
 * @param messageId an id that makes the publication unique while it lives, or null
 * @param correlationVariable Camunda / Flowable: the process variable whose value must equal the
 *     correlation key; null: the business key. Ignored by Zeebe, which correlates by the key the
 *     model's subscription names.
 */
public record PublishMessage(String name, String correlationKey,
    Map<String, @Nullable Object> variables, Duration timeToLive, @Nullable String messageId,
    @Nullable String correlationVariable) {

  public PublishMessage {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name is blank");
    }
    Objects.requireNonNull(correlationKey, "correlationKey");
    variables = JobResult.copy(variables, "variables");
    if (timeToLive == null || timeToLive.isNegative()) {
      throw new IllegalArgumentException("timeToLive < 0: " + timeToLive);
    }
    if (messageId != null && messageId.isBlank()) {
      throw new IllegalArgumentException("messageId is blank");
    }
    if (correlationVariable != null && correlationVariable.isBlank()) {
      throw new IllegalArgumentException("correlationVariable is blank");
    }
  }

  /** A message correlated now or never (time to live zero), without variables. */
  public static PublishMessage of(String name, String correlationKey) {
    return new PublishMessage(name, correlationKey, Map.of(), Duration.ZERO, null, null);
  }

  public PublishMessage withVariables(Map<String, ? extends @Nullable Object> v) {
    return new PublishMessage(name, correlationKey, JobResult.copy(v, "variables"), timeToLive,
        messageId, correlationVariable);
  }

  public PublishMessage withTimeToLive(Duration ttl) {
    return new PublishMessage(name, correlationKey, variables, ttl, messageId, correlationVariable);
  }

  public PublishMessage withMessageId(@Nullable String id) {
    return new PublishMessage(name, correlationKey, variables, timeToLive, id, correlationVariable);
  }

  public PublishMessage withCorrelationVariable(@Nullable String variable) {
    return new PublishMessage(name, correlationKey, variables, timeToLive, messageId, variable);
  }
}
