package io.polyworker.spi;

/**
 * What an engine can do beyond the basic fetch, complete and fail. The worker runtime adapts to
 * these, and the conformance kit skips contracts whose capability is missing, with the reason
 * from {@link EngineCapabilities#whyMissing(Capability)}.
 */
public enum Capability {
  /** Fetch waits on the server until jobs arrive or the timeout passes (Camunda). */
  LONG_POLLING,
  /**
   * One fetch takes several topics, each with its own lock duration, variables and filters
   * ({@link EngineClient#fetchAndLock(java.util.List)}; Camunda).
   */
  MULTI_TOPIC_FETCH,
  /**
   * One cheap request tells whether any job waits to be fetched ({@link EngineClient#jobsWaiting};
   * Flowable), so that a worker's idle topics need one request, not one each.
   */
  JOB_PROBE,
  /** The engine pushes jobs as they are created (Zeebe job streaming). */
  STREAMING,
  /** A running job's lock can be extended (Camunda extendLock, Zeebe updateTimeout). */
  LOCK_EXTENSION,
  /** A fetched job can be handed back at once, retries unchanged. */
  RELEASE,
  /** The engine rejects results from a worker that no longer holds the lock. */
  LOCK_OWNERSHIP,
  /** Task-local variables on complete (Camunda). */
  LOCAL_VARIABLES,
  /** Process instances have business keys, and messages can correlate by them (Camunda, Flowable). */
  BUSINESS_KEYS,
  /** Fetch can be filtered by business key (Camunda). */
  BUSINESS_KEY_FILTER,
  /** Fetch can be filtered by process definition key (Camunda). */
  PROCESS_DEFINITION_FILTER,
  /** Fetch can be filtered by tenant ids. */
  TENANT_FILTER,
  /** Fetch can be limited to named variables. */
  VARIABLE_FILTER,
  /** Fetch honours job priority (Camunda usePriority). */
  PRIORITY,
  /** CMMN jobs and the terminate result (Flowable). */
  CMMN,
  /** A failure with retries 0 raises an incident / dead letter that stops the job from being offered. */
  INCIDENTS,
  /**
   * {@code startProcessAndAwait} follows the instance: it fails fast when the instance raises an
   * incident or is cancelled, and its timeout names the instance (Camunda 7, Flowable).
   */
  AWAIT_FAILS_FAST,
  /** Published messages wait in the engine for a subscription (Zeebe); elsewhere the client retries. */
  MESSAGE_BUFFERING,
  /** Starting a process whose start events all wait for something (a message) is refused. */
  START_NEEDS_NONE_START_EVENT
}
