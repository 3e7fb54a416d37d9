package io.polyworker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * How one subscription fetches and runs jobs. Immutable and thread-safe; made with
 * {@link #builder()}, changed with {@link #toBuilder()}. Every setter validates its argument and names
 * the option in the exception.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link #lockDuration()}</td><td>30 s</td><td>how long a fetched job stays locked to this worker</td></tr>
 *   <tr><td>{@link #maxConcurrentJobs()}</td><td>32</td><td>jobs holding a slot at once (waiting for or running their handler); the poller fetches only for free slots. Results are reported beside them, at most as many reports again, so at most twice this many jobs are locked at once. With {@link Builder#maxConcurrentJobs(Concurrency) an adaptive limit}, its maximum</td></tr>
 *   <tr><td>{@link #concurrency()}</td><td>fixed(32)</td><td>the same limit, fixed or {@linkplain Concurrency#adaptive(int, int) adaptive} (opt-in)</td></tr>
 *   <tr><td>{@link #maxJobsPerFetch()}</td><td>= maxConcurrentJobs</td><td>upper bound of one fetch</td></tr>
 *   <tr><td>{@link #variables()}</td><td>null: all</td><td>names of variables to fetch</td></tr>
 *   <tr><td>{@link #longPollTimeout()}</td><td>10 s</td><td>how long an engine with long polling may hold an empty fetch open; {@code JobWorker.close()} waits for a poll in flight (up to this long) so the engine never locks a job for a worker that is gone</td></tr>
 *   <tr><td>{@link #lockExtension()}</td><td>true</td><td>extend the lock of handlers still running near lock expiry</td></tr>
 *   <tr><td>{@link #defaultRetries()}</td><td>3</td><td>retries assumed when the engine reports none yet (Camunda before the first failure); a failure reports this − 1</td></tr>
 *   <tr><td>{@link #retryBackoff()}</td><td>5 s</td><td>backoff sent with failures from thrown exceptions and {@link JobResult#fail(String)}</td></tr>
 *   <tr><td>{@link #businessKey()}</td><td>null</td><td>only jobs of instances with this business key (Camunda)</td></tr>
 *   <tr><td>{@link #processDefinitionKey()}</td><td>null</td><td>only jobs of this process definition (Camunda)</td></tr>
 *   <tr><td>{@link #tenantIds()}</td><td>null</td><td>only jobs of these tenants</td></tr>
 *   <tr><td>{@link #usePriority()}</td><td>true</td><td>fetch high-priority jobs first where the engine supports it; ignored elsewhere</td></tr>
 *   <tr><td>{@link #executor()}</td><td>null: virtual threads on Java 21+, else a pool of maxConcurrentJobs threads</td><td>where handlers run; never shut down by Polyworker when supplied</td></tr>
 *   <tr><td>{@link #engines()}</td><td>empty: every engine of the worker</td><td>on a worker over several engines, the ids of the engines this subscription is served on</td></tr>
 *   <tr><td>{@link #maxConcurrentJobsPerEngine()}</td><td>= maxConcurrentJobs</td><td>on a worker over several engines, jobs held at once from any one engine; maxConcurrentJobs stays the limit across them all</td></tr>
 * </table>
 *
 * <p>On a worker over several engines ({@code JobWorker.builder(List.of(camunda, zeebe))}),
 * {@link #maxConcurrentJobs()} is one limit for the subscription across all its engines, shared
 * fairly: while more than one engine has work, each may hold its equal share (the limit divided by
 * the number of engines, rounded up) and takes more only while no other engine waits for a slot.
 * The shares are of slots, not of completions: an engine that answers faster completes more jobs in
 * its share. Each engine keeps its own fetch loop, locks and reports.
 */
public final class SubscriptionOptions {
  private static final SubscriptionOptions DEFAULTS = new Builder().build();

  private final Duration lockDuration;
  private final int maxConcurrentJobs;
  private final Concurrency concurrency;
  private final int maxJobsPerFetch;
  /** What the builder was given: 0 when maxJobsPerFetch follows maxConcurrentJobs. */
  private final int maxJobsPerFetchSet;
  private final @Nullable List<String> variables;
  private final Duration longPollTimeout;
  private final boolean lockExtension;
  private final int defaultRetries;
  private final Duration retryBackoff;
  private final @Nullable String businessKey;
  private final @Nullable String processDefinitionKey;
  private final @Nullable List<String> tenantIds;
  private final boolean usePriority;
  private final @Nullable Executor executor;
  private final List<String> engines;
  /** What the builder was given: 0 when it follows maxConcurrentJobs. */
  private final int maxConcurrentJobsPerEngineSet;

  private SubscriptionOptions(Builder b) {
    this.lockDuration = b.lockDuration;
    this.concurrency = b.concurrency;
    this.maxConcurrentJobs = b.concurrency.max();
    this.maxJobsPerFetchSet = b.maxJobsPerFetch;
    this.maxJobsPerFetch = b.maxJobsPerFetch > 0 ? Math.min(b.maxJobsPerFetch, maxConcurrentJobs)
        : maxConcurrentJobs;
    this.variables = b.variables;
    this.longPollTimeout = b.longPollTimeout;
    this.lockExtension = b.lockExtension;
    this.defaultRetries = b.defaultRetries;
    this.retryBackoff = b.retryBackoff;
    this.businessKey = b.businessKey;
    this.processDefinitionKey = b.processDefinitionKey;
    this.tenantIds = b.tenantIds;
    this.usePriority = b.usePriority;
    this.executor = b.executor;
    this.engines = b.engines;
    this.maxConcurrentJobsPerEngineSet = b.maxConcurrentJobsPerEngine;
  }

  /** The defaults listed above. */
  public static SubscriptionOptions defaults() {
    return DEFAULTS;
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public Duration lockDuration() { return lockDuration; }
  /** Jobs held at once; with an adaptive limit, its maximum. */
  public int maxConcurrentJobs() { return maxConcurrentJobs; }
  /** The limit of jobs held at once: fixed (the default, 32) or adaptive. */
  public Concurrency concurrency() { return concurrency; }
  public int maxJobsPerFetch() { return maxJobsPerFetch; }
  public @Nullable List<String> variables() { return variables; }
  public Duration longPollTimeout() { return longPollTimeout; }
  public boolean lockExtension() { return lockExtension; }
  public int defaultRetries() { return defaultRetries; }
  public Duration retryBackoff() { return retryBackoff; }
  public @Nullable String businessKey() { return businessKey; }
  public @Nullable String processDefinitionKey() { return processDefinitionKey; }
  public @Nullable List<String> tenantIds() { return tenantIds; }
  public boolean usePriority() { return usePriority; }
  public @Nullable Executor executor() { return executor; }
  /** The engines this subscription is served on; empty for every engine of the worker. */
  public List<String> engines() { return engines; }
  /** Jobs held at once from one engine; at most {@link #maxConcurrentJobs()}. */
  public int maxConcurrentJobsPerEngine() {
    return maxConcurrentJobsPerEngineSet > 0
        ? Math.min(maxConcurrentJobsPerEngineSet, maxConcurrentJobs) : maxConcurrentJobs;
  }

  @Override
  public String toString() {
    return "SubscriptionOptions{lockDuration=" + lockDuration + ", maxConcurrentJobs="
        + concurrency + ", maxJobsPerFetch=" + maxJobsPerFetch + ", variables=" + variables
        + ", longPollTimeout=" + longPollTimeout + ", lockExtension=" + lockExtension
        + ", defaultRetries=" + defaultRetries + ", retryBackoff=" + retryBackoff
        + ", businessKey=" + businessKey + ", processDefinitionKey=" + processDefinitionKey
        + ", tenantIds=" + tenantIds + ", usePriority=" + usePriority + ", executor="
        + (executor == null ? "default" : executor.getClass().getName())
        + (engines.isEmpty() ? "" : ", engines=" + engines)
        + (maxConcurrentJobsPerEngineSet > 0 ? ", maxConcurrentJobsPerEngine="
            + maxConcurrentJobsPerEngine() : "") + "}";
  }

  /** Builds {@link SubscriptionOptions}. Not thread-safe. */
  public static final class Builder {
    private Duration lockDuration = Duration.ofSeconds(30);
    private Concurrency concurrency = Concurrency.fixed(32);
    private int maxJobsPerFetch = 0;
    private @Nullable List<String> variables;
    private Duration longPollTimeout = Duration.ofSeconds(10);
    private boolean lockExtension = true;
    private int defaultRetries = 3;
    private Duration retryBackoff = Duration.ofSeconds(5);
    private @Nullable String businessKey;
    private @Nullable String processDefinitionKey;
    private @Nullable List<String> tenantIds;
    private boolean usePriority = true;
    private @Nullable Executor executor;
    private List<String> engines = List.of();
    private int maxConcurrentJobsPerEngine = 0;

    private Builder() {}

    private Builder(SubscriptionOptions o) {
      lockDuration = o.lockDuration;
      concurrency = o.concurrency;
      // A defaulted maxJobsPerFetch keeps following maxConcurrentJobs in the copy.
      maxJobsPerFetch = o.maxJobsPerFetchSet;
      variables = o.variables;
      longPollTimeout = o.longPollTimeout;
      lockExtension = o.lockExtension;
      defaultRetries = o.defaultRetries;
      retryBackoff = o.retryBackoff;
      businessKey = o.businessKey;
      processDefinitionKey = o.processDefinitionKey;
      tenantIds = o.tenantIds;
      usePriority = o.usePriority;
      executor = o.executor;
      engines = o.engines;
      maxConcurrentJobsPerEngine = o.maxConcurrentJobsPerEngineSet;
    }

    /** Lock duration, at least 1 s. Default 30 s. */
    public Builder lockDuration(Duration v) {
      lockDuration = Options.atLeast(v, Duration.ofSeconds(1), "lockDuration");
      return this;
    }

    /**
     * Jobs waiting for or running their handler at once, at least 1, fixed. Default 32. When a handler
     * returns, its job's slot goes to the next job and the result is reported beside it, up to as
     * many reports at once as this limit (beyond that a report keeps its slot): the worker holds at
     * most twice this many jobs locked.
     */
    public Builder maxConcurrentJobs(int v) {
      concurrency = Concurrency.fixed(v);
      return this;
    }

    /**
     * Jobs held at once, fixed ({@link Concurrency#fixed(int)}, the same as {@link #maxConcurrentJobs(int)})
     * or adaptive between a minimum and a maximum ({@link Concurrency#adaptive(int, int)}, opt-in;
     * see there for how it grows and shrinks). Default {@code fixed(32)}.
     */
    public Builder maxConcurrentJobs(Concurrency v) {
      concurrency = java.util.Objects.requireNonNull(v, "maxConcurrentJobs");
      return this;
    }

    /** Upper bound of one fetch, at least 1; capped at maxConcurrentJobs. Default: maxConcurrentJobs. */
    public Builder maxJobsPerFetch(int v) {
      maxJobsPerFetch = Options.positive(v, "maxJobsPerFetch");
      return this;
    }

    /** Fetch only these variables; {@code null} (default) fetches all. */
    public Builder variables(@Nullable List<String> v) {
      variables = v == null ? null : Options.names(v, "variables");
      return this;
    }

    /** Fetch only these variables. */
    public Builder variables(String... names) {
      return variables(List.of(names));
    }

    /** Long-poll timeout, zero to disable, at most 5 min. Default 10 s. */
    public Builder longPollTimeout(Duration v) {
      longPollTimeout = Options.notNegative(v, "longPollTimeout");
      if (v.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("longPollTimeout > 5 min: " + v);
      }
      return this;
    }

    /** Whether to extend locks of long-running handlers. Default true. */
    public Builder lockExtension(boolean v) {
      lockExtension = v;
      return this;
    }

    /** Retries assumed before the engine has set any, at least 1. Default 3. */
    public Builder defaultRetries(int v) {
      defaultRetries = Options.positive(v, "defaultRetries");
      return this;
    }

    /** Backoff for default failures, not negative. Default 5 s. */
    public Builder retryBackoff(Duration v) {
      retryBackoff = Options.notNegative(v, "retryBackoff");
      return this;
    }

    /** Only jobs of instances with this business key; null for all. */
    public Builder businessKey(@Nullable String v) {
      businessKey = Options.blankToError(v, "businessKey");
      return this;
    }

    /** Only jobs of this process definition key; null for all. */
    public Builder processDefinitionKey(@Nullable String v) {
      processDefinitionKey = Options.blankToError(v, "processDefinitionKey");
      return this;
    }

    /** Only jobs of these tenants; null for all. */
    public Builder tenantIds(@Nullable List<String> v) {
      tenantIds = v == null ? null : Options.names(v, "tenantIds");
      return this;
    }

    /** Fetch by priority where supported. Default true. */
    public Builder usePriority(boolean v) {
      usePriority = v;
      return this;
    }

    /** Where handlers run; null (default) for the built-in executor. */
    public Builder executor(@Nullable Executor v) {
      executor = v;
      return this;
    }

    /**
     * On a worker over several engines, serve this subscription only on these engines (ids as
     * {@code Engine.id()} gives them: {@code camunda}, {@code flowable}, {@code zeebe}); none (the
     * default) for every engine of the worker. {@code JobWorker.Builder.build()} refuses an id the
     * worker has no engine for.
     */
    public Builder engines(String... engineIds) {
      return engines(List.of(engineIds));
    }

    /** See {@link #engines(String...)}; an empty list for every engine (the default). */
    public Builder engines(List<String> engineIds) {
      engines = engineIds.isEmpty() ? List.of() : Options.names(engineIds, "engines");
      return this;
    }

    /**
     * On a worker over several engines, the most jobs held at once from any one engine, at least 1;
     * capped at maxConcurrentJobs, which stays the limit across all engines. Default:
     * maxConcurrentJobs (only the shared limit applies).
     */
    public Builder maxConcurrentJobsPerEngine(int v) {
      maxConcurrentJobsPerEngine = Options.positive(v, "maxConcurrentJobsPerEngine");
      return this;
    }

    public SubscriptionOptions build() {
      return new SubscriptionOptions(this);
    }
  }
}
