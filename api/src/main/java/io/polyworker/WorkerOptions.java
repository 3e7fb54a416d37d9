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
 *   <tr><td>{@link #pollErrorBackoffInitial()} / {@link #pollErrorBackoffMax()}</td><td>100 ms / 10 s</td><td>exponential backoff with jitter after failed fetches</td></tr>
 *   <tr><td>{@link #emptyPollBackoffInitial()} / {@link #emptyPollBackoffMax()}</td><td>20 ms / 1 s</td><td>backoff after empty fetches on engines without long polling; reset by the first non-empty fetch</td></tr>
 *   <tr><td>{@link #reportRetryTimeout()}</td><td>5 min</td><td>how long a result report is retried on transient errors before it is given up (the job then runs again elsewhere after its lock expires)</td></tr>
 *   <tr><td>{@link #listener()}</td><td>none</td><td>receives every {@link WorkerEvent}</td></tr>
 * </table>
 */
public final class WorkerOptions {
  private static final WorkerListener NO_LISTENER = event -> {};

  private final String workerId;
  private final Duration drainTimeout;
  private final Duration pollErrorBackoffInitial;
  private final Duration pollErrorBackoffMax;
  private final Duration emptyPollBackoffInitial;
  private final Duration emptyPollBackoffMax;
  private final Duration reportRetryTimeout;
  private final WorkerListener listener;

  private WorkerOptions(Builder b) {
    this.workerId = b.workerId != null ? b.workerId : defaultWorkerId();
    this.drainTimeout = b.drainTimeout;
    this.pollErrorBackoffInitial = b.pollErrorBackoffInitial;
    this.pollErrorBackoffMax = b.pollErrorBackoffMax;
    this.emptyPollBackoffInitial = b.emptyPollBackoffInitial;
    this.emptyPollBackoffMax = b.emptyPollBackoffMax;
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
  public Duration pollErrorBackoffInitial() { return pollErrorBackoffInitial; }
  public Duration pollErrorBackoffMax() { return pollErrorBackoffMax; }
  public Duration emptyPollBackoffInitial() { return emptyPollBackoffInitial; }
  public Duration emptyPollBackoffMax() { return emptyPollBackoffMax; }
  public Duration reportRetryTimeout() { return reportRetryTimeout; }
  public WorkerListener listener() { return listener; }

  @Override
  public String toString() {
    return "WorkerOptions{workerId=" + workerId + ", drainTimeout=" + drainTimeout
        + ", pollErrorBackoff=" + pollErrorBackoffInitial + ".." + pollErrorBackoffMax
        + ", emptyPollBackoff=" + emptyPollBackoffInitial + ".." + emptyPollBackoffMax
        + ", reportRetryTimeout=" + reportRetryTimeout + "}";
  }

  /** Builds {@link WorkerOptions}. Not thread-safe. */
  public static final class Builder {
    private String workerId;
    private Duration drainTimeout = Duration.ofSeconds(30);
    private Duration pollErrorBackoffInitial = Duration.ofMillis(100);
    private Duration pollErrorBackoffMax = Duration.ofSeconds(10);
    private Duration emptyPollBackoffInitial = Duration.ofMillis(20);
    private Duration emptyPollBackoffMax = Duration.ofSeconds(1);
    private Duration reportRetryTimeout = Duration.ofMinutes(5);
    private WorkerListener listener = NO_LISTENER;

    private Builder() {}

    private Builder(WorkerOptions o) {
      workerId = o.workerId;
      drainTimeout = o.drainTimeout;
      pollErrorBackoffInitial = o.pollErrorBackoffInitial;
      pollErrorBackoffMax = o.pollErrorBackoffMax;
      emptyPollBackoffInitial = o.emptyPollBackoffInitial;
      emptyPollBackoffMax = o.emptyPollBackoffMax;
      reportRetryTimeout = o.reportRetryTimeout;
      listener = o.listener;
    }

    /** The lock owner id, not blank. Default: host name and a random suffix. */
    public Builder workerId(String v) {
      workerId = Options.notBlank(v, "workerId");
      return this;
    }

    /** Drain deadline of {@code JobWorker.close()}, not negative. Default 30 s. */
    public Builder drainTimeout(Duration v) {
      drainTimeout = Options.notNegative(v, "drainTimeout");
      return this;
    }

    /** Backoff after failed fetches: first delay and cap, both &gt; 0, initial ≤ max. Default 100 ms, 10 s. */
    public Builder pollErrorBackoff(Duration initial, Duration max) {
      pollErrorBackoffInitial = Options.positive(initial, "pollErrorBackoffInitial");
      pollErrorBackoffMax = Options.positive(max, "pollErrorBackoffMax");
      if (initial.compareTo(max) > 0) {
        throw new IllegalArgumentException("pollErrorBackoffInitial > pollErrorBackoffMax");
      }
      return this;
    }

    /** Backoff after empty fetches without long polling, both &gt; 0, initial ≤ max. Default 20 ms, 1 s. */
    public Builder emptyPollBackoff(Duration initial, Duration max) {
      emptyPollBackoffInitial = Options.positive(initial, "emptyPollBackoffInitial");
      emptyPollBackoffMax = Options.positive(max, "emptyPollBackoffMax");
      if (initial.compareTo(max) > 0) {
        throw new IllegalArgumentException("emptyPollBackoffInitial > emptyPollBackoffMax");
      }
      return this;
    }

    /** How long to retry a result report on transient errors, not negative. Default 5 min. */
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
