package io.polyworker;

import java.net.InetAddress;
import java.time.Duration;
import java.util.UUID;

/**
 * Settings of a {@code JobWorker} as a whole. Immutable and thread-safe; made with
 * {@link #builder()}. Every setter validates its argument and names the option.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link #workerId()}</td><td>{@code <host>-<8 random hex>}</td><td>the lock owner the engine sees</td></tr>
 *   <tr><td>{@link #drainTimeout()}</td><td>30 s</td><td>how long {@code JobWorker.close()} waits for running handlers before interrupting them</td></tr>
 *   <tr><td>{@link #pollErrorBackoff()}</td><td>{@link #DEFAULT_POLL_ERROR_BACKOFF}: 100 ms doubling to 10 s, ±25 % jitter</td><td>the wait after failed fetches; reset by the first fetch that works</td></tr>
 *   <tr><td>{@link #emptyPollBackoff()}</td><td>{@link #DEFAULT_EMPTY_POLL_BACKOFF}: 20 ms doubling to 1 s, ±25 % jitter</td><td>the wait after empty fetches on engines without long polling; reset by the first non-empty fetch</td></tr>
 *   <tr><td>{@link #reportRetryBackoff()}</td><td>{@link #DEFAULT_REPORT_RETRY_BACKOFF}: 100 ms doubling to 5 s, ±25 % jitter</td><td>the wait between attempts of a result report that failed on a transient error</td></tr>
 *   <tr><td>{@link #reportRetryTimeout()}</td><td>5 min</td><td>how long a result report is retried on transient errors before it is given up (the job then runs again elsewhere after its lock expires)</td></tr>
 *   <tr><td>{@link #listener()}</td><td>none</td><td>receives every {@link WorkerEvent}</td></tr>
 * </table>
 */
public final class WorkerOptions {
  /** Default of {@link #drainTimeout()}: 30 s. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
  /** Default of {@link #pollErrorBackoff()}: 100 ms doubling to 10 s, with jitter. */
  public static final Backoff DEFAULT_POLL_ERROR_BACKOFF =
      Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10));
  /** Default of {@link #emptyPollBackoff()}: 20 ms doubling to 1 s, with jitter. */
  public static final Backoff DEFAULT_EMPTY_POLL_BACKOFF =
      Backoff.exponential(Duration.ofMillis(20), Duration.ofSeconds(1));
  /** Default of {@link #reportRetryBackoff()}: 100 ms doubling to 5 s, with jitter. */
  public static final Backoff DEFAULT_REPORT_RETRY_BACKOFF =
      Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5));
  /** Default of {@link #reportRetryTimeout()}: 5 min. */
  public static final Duration DEFAULT_REPORT_RETRY_TIMEOUT = Duration.ofMinutes(5);

  private static final WorkerListener NO_LISTENER = event -> {};

  private final String workerId;
  private final Duration drainTimeout;
  private final Backoff pollErrorBackoff;
  private final Backoff emptyPollBackoff;
  private final Backoff reportRetryBackoff;
  private final Duration reportRetryTimeout;
  private final WorkerListener listener;

  private WorkerOptions(Builder b) {
    this.workerId = b.workerId != null ? b.workerId : defaultWorkerId();
    this.drainTimeout = b.drainTimeout;
    this.pollErrorBackoff = b.pollErrorBackoff;
    this.emptyPollBackoff = b.emptyPollBackoff;
    this.reportRetryBackoff = b.reportRetryBackoff;
    this.reportRetryTimeout = b.reportRetryTimeout;
    this.listener = b.listener;
  }

  private static String defaultWorkerId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "worker";
    }
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public String workerId() { return workerId; }
  public Duration drainTimeout() { return drainTimeout; }
  public Backoff pollErrorBackoff() { return pollErrorBackoff; }
  public Backoff emptyPollBackoff() { return emptyPollBackoff; }
  public Backoff reportRetryBackoff() { return reportRetryBackoff; }
  public Duration reportRetryTimeout() { return reportRetryTimeout; }
  public WorkerListener listener() { return listener; }

  @Override
  public String toString() {
    return "WorkerOptions{workerId=" + workerId + ", drainTimeout=" + drainTimeout
        + ", pollErrorBackoff=" + pollErrorBackoff + ", emptyPollBackoff=" + emptyPollBackoff
        + ", reportRetryBackoff=" + reportRetryBackoff + ", reportRetryTimeout=" + reportRetryTimeout + "}";
  }

  /** Builds {@link WorkerOptions}. Not thread-safe. */
  public static final class Builder {
    private String workerId;
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private Backoff pollErrorBackoff = DEFAULT_POLL_ERROR_BACKOFF;
    private Backoff emptyPollBackoff = DEFAULT_EMPTY_POLL_BACKOFF;
    private Backoff reportRetryBackoff = DEFAULT_REPORT_RETRY_BACKOFF;
    private Duration reportRetryTimeout = DEFAULT_REPORT_RETRY_TIMEOUT;
    private WorkerListener listener = NO_LISTENER;

    private Builder() {}

    private Builder(WorkerOptions o) {
      workerId = o.workerId;
      drainTimeout = o.drainTimeout;
      pollErrorBackoff = o.pollErrorBackoff;
      emptyPollBackoff = o.emptyPollBackoff;
      reportRetryBackoff = o.reportRetryBackoff;
      reportRetryTimeout = o.reportRetryTimeout;
      listener = o.listener;
    }

    /** The lock owner id, not blank. Default: host name and a random suffix. */
    public Builder workerId(String v) {
      workerId = Options.notBlank(v, "workerId");
      return this;
    }

    /** Drain deadline of {@code JobWorker.close()}, not negative. Default {@link #DEFAULT_DRAIN_TIMEOUT}. */
    public Builder drainTimeout(Duration v) {
      drainTimeout = Options.notNegative(v, "drainTimeout");
      return this;
    }

    /** The wait after failed fetches. Default {@link #DEFAULT_POLL_ERROR_BACKOFF}. */
    public Builder pollErrorBackoff(Backoff v) {
      pollErrorBackoff = notNull(v, "pollErrorBackoff");
      return this;
    }

    /**
     * Shorthand for {@code pollErrorBackoff(Backoff.exponential(initial, max))}: first delay and
     * cap, both &gt; 0, initial ≤ max. Default 100 ms, 10 s.
     */
    public Builder pollErrorBackoff(Duration initial, Duration max) {
      return pollErrorBackoff(exponential(initial, max, "pollErrorBackoff"));
    }

    /** The wait after empty fetches on engines without long polling. Default {@link #DEFAULT_EMPTY_POLL_BACKOFF}. */
    public Builder emptyPollBackoff(Backoff v) {
      emptyPollBackoff = notNull(v, "emptyPollBackoff");
      return this;
    }

    /**
     * Shorthand for {@code emptyPollBackoff(Backoff.exponential(initial, max))}: both &gt; 0,
     * initial ≤ max. Default 20 ms, 1 s.
     */
    public Builder emptyPollBackoff(Duration initial, Duration max) {
      return emptyPollBackoff(exponential(initial, max, "emptyPollBackoff"));
    }

    /** The wait between attempts of a result report. Default {@link #DEFAULT_REPORT_RETRY_BACKOFF}. */
    public Builder reportRetryBackoff(Backoff v) {
      reportRetryBackoff = notNull(v, "reportRetryBackoff");
      return this;
    }

    private static Backoff exponential(Duration initial, Duration max, String name) {
      Options.positive(initial, name + "Initial");
      Options.positive(max, name + "Max");
      if (initial.compareTo(max) > 0) {
        throw new IllegalArgumentException(name + "Initial > " + name + "Max");
      }
      return Backoff.exponential(initial, max);
    }

    private static Backoff notNull(Backoff v, String name) {
      if (v == null) {
        throw new IllegalArgumentException(name + " is null");
      }
      return v;
    }

    /** How long to retry a result report on transient errors, not negative. Default {@link #DEFAULT_REPORT_RETRY_TIMEOUT}. */
    public Builder reportRetryTimeout(Duration v) {
      reportRetryTimeout = Options.notNegative(v, "reportRetryTimeout");
      return this;
    }

    /** Receives every event; must be fast and thread-safe. Default: none. */
    public Builder listener(WorkerListener v) {
      if (v == null) {
        throw new IllegalArgumentException("listener is null");
      }
      listener = v;
      return this;
    }

    public WorkerOptions build() {
      return new WorkerOptions(this);
    }
  }
}
