package io.polyworker.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One fetch-and-lock for one topic, as the runtime asks it of an {@link EngineClient}.
 *
 * @param workerId the worker that will own the locks
 * @param topic Camunda/Flowable topic or Zeebe job type
 * @param maxJobs at most this many jobs (the poller's free capacity), at least 1
 * @param lockDuration how long each lock lasts
 * @param variables names of the variables to fetch; null fetches all
 * @param longPollTimeout how long the engine may hold the request open while no job is there;
 *     {@link Duration#ZERO} for an immediate answer. Ignored without {@link Capability#LONG_POLLING}.
 * @param businessKey only jobs of instances with this business key (needs {@link Capability#BUSINESS_KEY_FILTER})
 * @param processDefinitionKey only jobs of this definition (needs {@link Capability#PROCESS_DEFINITION_FILTER})
 * @param tenantIds only jobs of these tenants; null for no filter (needs {@link Capability#TENANT_FILTER})
 * @param usePriority fetch higher-priority jobs first (needs {@link Capability#PRIORITY})
 */
public record FetchRequest(
    String workerId,
    String topic,
    int maxJobs,
    Duration lockDuration,
    @Nullable List<String> variables,
    Duration longPollTimeout,
    @Nullable String businessKey,
    @Nullable String processDefinitionKey,
    @Nullable List<String> tenantIds,
    boolean usePriority) {

  public FetchRequest {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(lockDuration, "lockDuration");
    Objects.requireNonNull(longPollTimeout, "longPollTimeout");
    if (maxJobs < 1) {
      throw new IllegalArgumentException("maxJobs < 1");
    }
    variables = variables == null ? null : List.copyOf(variables);
    tenantIds = tenantIds == null ? null : List.copyOf(tenantIds);
  }

  /** A request for {@code maxJobs} jobs of {@code topic} with no filters and no long polling. */
  public static FetchRequest of(String workerId, String topic, int maxJobs, Duration lockDuration) {
    return new FetchRequest(workerId, topic, maxJobs, lockDuration, null, Duration.ZERO, null, null,
        null, false);
  }

  /**
   * Checks that {@code requests} can go out as one multi-topic fetch
   * ({@link EngineClient#fetchAndLock(List)}): at least one, distinct topics, and the same workerId,
   * maxJobs, longPollTimeout and usePriority. Returns them.
   *
   * @throws IllegalArgumentException naming what differs
   */
  public static List<FetchRequest> requireCombinable(List<FetchRequest> requests) {
    if (requests.isEmpty()) {
      throw new IllegalArgumentException("a multi-topic fetch needs at least one topic");
    }
    FetchRequest first = requests.get(0);
    java.util.Set<String> topics = new java.util.HashSet<>();
    for (FetchRequest r : requests) {
      if (!topics.add(r.topic())) {
        throw new IllegalArgumentException("topic " + r.topic() + " is asked for twice in one fetch");
      }
      if (!r.workerId().equals(first.workerId()) || r.maxJobs() != first.maxJobs()
          || !r.longPollTimeout().equals(first.longPollTimeout()) || r.usePriority() != first.usePriority()) {
        throw new IllegalArgumentException("topics " + first.topic() + " and " + r.topic()
            + " differ in workerId, maxJobs, longPollTimeout or usePriority and cannot share one fetch");
      }
    }
    return requests;
  }

  /** The same request asking for a different number of jobs. */
  public FetchRequest withMaxJobs(int n) {
    return new FetchRequest(workerId, topic, n, lockDuration, variables, longPollTimeout, businessKey,
        processDefinitionKey, tenantIds, usePriority);
  }

  /** The same request with a different lock duration. */
  public FetchRequest withLockDuration(Duration lock) {
    return new FetchRequest(workerId, topic, maxJobs, lock, variables, longPollTimeout, businessKey,
        processDefinitionKey, tenantIds, usePriority);
  }

  /** The same request with a different long-poll timeout. */
  public FetchRequest withLongPollTimeout(Duration timeout) {
    return new FetchRequest(workerId, topic, maxJobs, lockDuration, variables, timeout, businessKey,
        processDefinitionKey, tenantIds, usePriority);
  }
}
