package io.polyworker.worker;

import io.polyworker.engine.Engine;
import io.polyworker.JobHandler;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerListener;
import io.polyworker.WorkerOptions;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineCapabilities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.polyworker.worker.internal.Subscription;
import io.polyworker.worker.internal.RunnerState;
import io.polyworker.worker.internal.WorkerRuntime;

/**
 * Fetches jobs from one engine and runs them through handlers, owning all concurrency: one poller per
 * subscription with at most one fetch in flight, fetching only for free capacity (long polling or
 * job streaming where the engine has it, adaptive backoff where it has neither); handlers on a
 * bounded executor per subscription; results reported and retried on transient errors; locks
 * extended while handlers run; a graceful {@link #close()}.
 *
 * <p>Delivery is at least once: a job whose lock expires (or whose result cannot be reported) runs
 * again, possibly on another worker. Handlers should be idempotent.
 *
 * <pre>{@code
 * try (Engine engine = CamundaEngine.builder().baseUrl("http://localhost:8080/engine-rest").build();
 *      JobWorker worker = JobWorker.builder(engine)
 *          .subscribe("charge-card", job -> JobResult.complete(Map.of("charged", true)))
 *          .build()
 *          .start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>One worker may serve several engines at once ({@link #builder(List)}), for migrations: every
 * subscription runs on every engine of the worker, or on those its
 * {@link SubscriptionOptions#engines()} names. Each engine keeps its own fetch loop (long poll,
 * stream or polling), locks and reports, so an engine that is down or slow never stalls the others;
 * a subscription's maxConcurrentJobs is one limit across its engines, shared fairly (see
 * {@link SubscriptionOptions}); {@link #close()} drains every engine under one deadline; events and
 * {@link io.polyworker.Job#engine()} say which engine a job came from.
 *
 * <p>Thread-safe. A worker runs once: after {@link #close()} it cannot be started again.
 */
public final class JobWorker implements AutoCloseable {
  private final WorkerRuntime runtime;
  private final Map<String, String> handlers;

  private JobWorker(WorkerRuntime runtime, Map<String, String> handlers) {
    this.runtime = runtime;
    this.handlers = handlers;
  }

  /** A builder for a worker on this engine. */
  public static Builder builder(Engine engine) {
    return new Builder(List.of(Objects.requireNonNull(engine, "engine")));
  }

  /**
   * A builder for one worker over several engines (at least one, with distinct
   * {@link Engine#id()}s), for example the engine a team leaves and the one it moves to:
   * {@code JobWorker.builder(List.of(camunda, zeebe))}.
   *
   * @throws IllegalArgumentException when the list is empty or two engines have the same id
   */
  public static Builder builder(List<? extends Engine> engines) {
    Objects.requireNonNull(engines, "engines");
    if (engines.isEmpty()) {
      throw new IllegalArgumentException("no engine: JobWorker.builder needs at least one");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (Engine e : engines) {
      if (!ids.add(Objects.requireNonNull(e, "engines contains null").id())) {
        throw new IllegalArgumentException("two engines with the id '" + e.id() + "': a worker serves"
            + " each engine once (engines: " + engines.stream().map(Engine::id).toList() + ")");
      }
    }
    return new Builder(List.copyOf(engines));
  }

  /**
   * Starts polling; returns this. Idempotent while running.
   *
   * @throws IllegalStateException once closed (a worker cannot be restarted)
   */
  public JobWorker start() {
    runtime.start();
    return this;
  }

  /**
   * Stops fetching, releases fetched jobs not yet started, waits up to
   * {@link WorkerOptions#drainTimeout()} for running handlers (and their result reports), then
   * interrupts the rest and stops its threads. A long poll in flight is let finish (up to its
   * timeout, within the same deadline) and whatever it brings is released, because engines such as
   * Camunda keep a poll open after the client hangs up and would lock the next job for this closed
   * worker. Blocks until done. Idempotent. Does not close the {@link Engine}.
   */
  @Override
  public void close() {
    runtime.close();
  }

  /** Waits until the worker has closed; returns whether it did within the timeout. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return runtime.awaitTermination(timeout);
  }

  /** Whether started and not yet closing. */
  public boolean isRunning() {
    return runtime.isRunning();
  }

  /**
   * A snapshot of every subscription, in the order subscribed (on a worker over several engines, one
   * entry per subscription and engine it is served on, in the order of the engines): slots held,
   * pushed jobs waiting, open requests for work. Cheap and non-blocking (no engine call), so gauges and health checks may call
   * it often; see {@link SubscriptionState} for what each count means and how exact it is.
   */
  public List<SubscriptionState> subscriptions() {
    List<SubscriptionState> states = new ArrayList<>();
    for (RunnerState r : runtime.states()) {
      states.add(new SubscriptionState(r.engine(), r.topic(), r.slotLimit(), r.jobsHeld(),
          r.jobsWaiting(), r.fetchesOpen()));
    }
    return Collections.unmodifiableList(states);
  }

  /**
   * Which handler serves which topic, in the order subscribed: the handler's {@code toString()} as
   * given to {@code subscribe} (before any plugin wrapped it), so that work units and the Spring
   * starter's handler methods name themselves. A worker fetches only the topics it has handlers for:
   * a job without a handler (a "no callback" error elsewhere) cannot reach it.
   */
  public Map<String, String> handlers() {
    return handlers;
  }

  /** The worker id sent to the engine. */
  public String workerId() {
    return runtime.workerId();
  }

  @Override
  public String toString() {
    return runtime.toString();
  }

  /** Builds a {@link JobWorker}. Not thread-safe. */
  public static final class Builder {
    private final List<Engine> engines;
    private WorkerOptions.Builder options = WorkerOptions.builder();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final List<WorkerPlugin> plugins = new ArrayList<>();

    private Builder(List<Engine> engines) {
      this.engines = engines;
    }

    /** Replaces all worker options. */
    public Builder options(WorkerOptions options) {
      this.options = Objects.requireNonNull(options, "options").toBuilder();
      return this;
    }

    /** Sets the worker id; see {@link WorkerOptions#workerId()}. */
    public Builder workerId(String workerId) {
      options.workerId(workerId);
      return this;
    }

    /** Sets the event listener; see {@link WorkerOptions#listener()}. */
    public Builder listener(WorkerListener listener) {
      options.listener(listener);
      return this;
    }

    /** Sets the drain deadline; see {@link WorkerOptions#drainTimeout()}. */
    public Builder drainTimeout(Duration drainTimeout) {
      options.drainTimeout(drainTimeout);
      return this;
    }

    /** Subscribes a handler to a topic with {@link SubscriptionOptions#defaults()}. */
    public Builder subscribe(String topic, JobHandler handler) {
      return subscribe(topic, handler, SubscriptionOptions.defaults());
    }

    /** Subscribes a handler to a topic (Camunda/Flowable topic, Zeebe job type). */
    public Builder subscribe(String topic, JobHandler handler, SubscriptionOptions options) {
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("topic is blank");
      }
      Objects.requireNonNull(handler, "handler");
      Objects.requireNonNull(options, "options");
      for (Subscription s : subscriptions) {
        if (s.topic().equals(topic)) {
          throw new IllegalArgumentException("topic '" + topic + "' is already subscribed");
        }
      }
      subscriptions.add(new Subscription(topic, handler, options));
      return this;
    }

    /**
     * Adds a plugin (metrics, tracing, your own), applied by {@link #build()}; see {@link WorkerPlugin}
     * for the order. A plugin added twice is applied twice.
     */
    public Builder plugin(WorkerPlugin plugin) {
      plugins.add(Objects.requireNonNull(plugin, "plugin"));
      return this;
    }

    /**
     * Builds the worker (not started).
     *
     * @throws IllegalStateException without subscriptions
     * @throws IllegalArgumentException when a subscription uses a filter one of its engines does not
     *     support, or names an engine the worker does not have
     */
    public JobWorker build() {
      if (subscriptions.isEmpty()) {
        throw new IllegalStateException("no subscription: call subscribe(topic, handler) first");
      }
      List<String> ids = engines.stream().map(Engine::id).toList();
      for (Subscription s : subscriptions) {
        SubscriptionOptions o = s.options();
        for (String id : o.engines()) {
          if (!ids.contains(id)) {
            throw new IllegalArgumentException("subscription '" + s.topic() + "': option engines names '"
                + id + "', but the worker's engines are " + ids);
          }
        }
        for (Engine engine : engines) {
          if (!o.engines().isEmpty() && !o.engines().contains(engine.id())) {
            continue;
          }
          EngineCapabilities caps = engine.capabilities();
          require(engine, caps, o.businessKey() != null, Capability.BUSINESS_KEY_FILTER, s, "businessKey");
          require(engine, caps, o.processDefinitionKey() != null, Capability.PROCESS_DEFINITION_FILTER, s,
              "processDefinitionKey");
          require(engine, caps, o.tenantIds() != null, Capability.TENANT_FILTER, s, "tenantIds");
        }
      }
      WorkerOptions built = options.build();
      WorkerListener listener = built.listener();
      List<Subscription> wrapped = new ArrayList<>();
      for (Subscription s : subscriptions) {
        JobHandler handler = s.handler();
        for (WorkerPlugin p : plugins) {
          handler = Objects.requireNonNull(p.wrap(s.topic(), handler), "a plugin wrapped a handler as null");
        }
        wrapped.add(new Subscription(s.topic(), handler, s.options()));
      }
      for (WorkerPlugin p : plugins) {
        WorkerListener l = p.listener();
        if (l != null) {
          listener = listener.andThen(l);
        }
      }
      Map<String, String> handlers = new LinkedHashMap<>();
      subscriptions.forEach(s -> handlers.put(s.topic(), String.valueOf(s.handler())));
      JobWorker worker = new JobWorker(new WorkerRuntime(
          engines.stream().map(Engine::jobClient).toList(),
          built.toBuilder().listener(listener).build(), Collections.unmodifiableList(wrapped)),
          Collections.unmodifiableMap(handlers));
      plugins.forEach(p -> p.built(worker));
      return worker;
    }

    private void require(Engine engine, EngineCapabilities caps, boolean used, Capability capability,
        Subscription s, String option) {
      if (used && !caps.has(capability)) {
        throw new IllegalArgumentException("subscription '" + s.topic() + "': option " + option
            + " is not supported by engine " + engine.id() + ": " + caps.whyMissing(capability)
            + (engines.size() > 1 ? " (serve it on the other engines only with"
                + " SubscriptionOptions.engines(..))" : ""));
      }
    }
  }
}
