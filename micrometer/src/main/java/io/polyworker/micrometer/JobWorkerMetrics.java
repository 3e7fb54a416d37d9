package io.polyworker.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.polyworker.MalformedAnswerException;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerListener;
import io.polyworker.worker.JobWorker;
import io.polyworker.worker.WorkerPlugin;
import io.polyworker.worker.SubscriptionState;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.ToIntFunction;

/**
 * Micrometer meters for {@link JobWorker}s: a {@link WorkerListener} that turns the worker's events
 * into counters and timers, and {@link #bindTo(JobWorker)}, which adds gauges of its subscriptions.
 * As a {@link WorkerPlugin} it does both in one line:
 * {@code JobWorker.builder(engine).plugin(JobWorkerMetrics.create(registry))}.
 * Every meter is tagged {@code engine}, {@code topic} and {@code worker} (the worker id), plus the
 * common tags given to {@link #create(MeterRegistry, Iterable)}. Names follow Micrometer's
 * conventions (dot-separated; timers in the registry's base unit, seconds for most).
 *
 * <pre>{@code
 * JobWorker worker = JobWorker.builder(engine)
 *     .plugin(JobWorkerMetrics.create(registry))   // counters, timers and gauges
 *     .subscribe("charge-card", handler)
 *     .build()
 *     .start();
 * }</pre>
 *
 * <p>The same by hand: {@code .listener(metrics)} on the builder and {@code metrics.bindTo(worker)}.
 *
 * <p>Counters count what the engine accepted: a completion the engine refused is not "completed"
 * (it shows as a failure, a lost lock or a failed report instead).
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>extra tags</th><th>meaning</th></tr>
 *   <tr><td>{@value #ACTIVATED}</td><td>counter</td><td></td><td>jobs the engine handed to this worker
 *       (fetched or pushed)</td></tr>
 *   <tr><td>{@value #REPORTED}</td><td>counter</td><td>{@code outcome}: {@code completed},
 *       {@code failed}, {@code bpmn_error}, {@code terminated}</td><td>results the engine accepted</td></tr>
 *   <tr><td>{@value #UNREADABLE}</td><td>counter</td><td></td><td>jobs that could not be read and were
 *       failed with the reason instead of run (also counted as {@code failed})</td></tr>
 *   <tr><td>{@value #RELEASED}</td><td>counter</td><td></td><td>jobs handed back unstarted (close(), a
 *       saturated stream)</td></tr>
 *   <tr><td>{@value #LOCK_LOST}</td><td>counter</td><td></td><td>locks this worker learnt it lost (at
 *       most one per lock)</td></tr>
 *   <tr><td>{@value #ALREADY_COMPLETED}</td><td>counter</td><td></td><td>results the engine refused
 *       because the job no longer exists</td></tr>
 *   <tr><td>{@value #REPORT_RETRIES}</td><td>counter</td><td></td><td>result reports sent again after a
 *       transient error</td></tr>
 *   <tr><td>{@value #REPORT_FAILURES}</td><td>counter</td><td></td><td>reports (or releases) given up:
 *       the job runs again after its lock expires</td></tr>
 *   <tr><td>{@value #FETCH_ERRORS}</td><td>counter</td><td></td><td>fetches that failed (the worker backs
 *       off)</td></tr>
 *   <tr><td>{@value #HANDLER}</td><td>timer</td><td>{@code outcome}</td><td>handler run time of jobs
 *       whose result the engine accepted</td></tr>
 *   <tr><td>{@value #QUEUE}</td><td>timer</td><td></td><td>time a job waited in the worker, from its
 *       arrival to its handler's start</td></tr>
 *   <tr><td>{@value #END_TO_END}</td><td>timer</td><td>{@code outcome}</td><td>time from a job's
 *       arrival to the engine's answer to its result</td></tr>
 *   <tr><td>{@value #FETCH}</td><td>timer</td><td>{@code result}: {@code jobs}, {@code empty},
 *       {@code error}</td><td>round trip of a fetch or long poll</td></tr>
 *   <tr><td>{@value #SLOTS_USED}</td><td>gauge</td><td></td><td>jobs holding a slot (waiting for a
 *       thread, running, or reporting on the handler's thread)</td></tr>
 *   <tr><td>{@value #SLOTS_LIMIT}</td><td>gauge</td><td></td><td>the subscription's
 *       maxConcurrentJobs</td></tr>
 *   <tr><td>{@value #WAITING}</td><td>gauge</td><td></td><td>pushed jobs waiting for a slot</td></tr>
 *   <tr><td>{@value #FETCHES_OPEN}</td><td>gauge</td><td></td><td>open fetches, long polls and job
 *       streams</td></tr>
 * </table>
 *
 * <p>No meter holds a variable value, a job id or a secret: tags are the engine id, the topic, the
 * worker id and the fixed words above. Thread-safe; one instance may serve several workers.
 */
public final class JobWorkerMetrics implements WorkerListener, WorkerPlugin {
  /** Counter of jobs activated for this worker. */
  public static final String ACTIVATED = "polyworker.jobs.activated";
  /** Counter of results the engine accepted, by outcome. */
  public static final String REPORTED = "polyworker.jobs.reported";
  /** Counter of unreadable jobs failed without a handler. */
  public static final String UNREADABLE = "polyworker.jobs.unreadable";
  /** Counter of jobs handed back unstarted. */
  public static final String RELEASED = "polyworker.jobs.released";
  /** Counter of lost locks. */
  public static final String LOCK_LOST = "polyworker.jobs.lock.lost";
  /** Counter of results refused because the job no longer exists. */
  public static final String ALREADY_COMPLETED = "polyworker.jobs.already.completed";
  /** Counter of report retries. */
  public static final String REPORT_RETRIES = "polyworker.reports.retried";
  /** Counter of reports given up. */
  public static final String REPORT_FAILURES = "polyworker.reports.failed";
  /** Counter of failed fetches. */
  public static final String FETCH_ERRORS = "polyworker.fetches.failed";
  /** Timer of handler run times, by outcome. */
  public static final String HANDLER = "polyworker.handler.duration";
  /** Timer of the time jobs wait in the worker before their handler starts. */
  public static final String QUEUE = "polyworker.jobs.queue.time";
  /** Timer from a job's arrival to the engine's answer to its result, by outcome. */
  public static final String END_TO_END = "polyworker.jobs.end.to.end";
  /** Timer of fetch round trips, by result. */
  public static final String FETCH = "polyworker.fetch.duration";
  /** Gauge of slots held. */
  public static final String SLOTS_USED = "polyworker.slots.used";
  /** Gauge of the slot limit. */
  public static final String SLOTS_LIMIT = "polyworker.slots.limit";
  /** Gauge of pushed jobs waiting for a slot. */
  public static final String WAITING = "polyworker.jobs.waiting";
  /** Gauge of open fetches and streams. */
  public static final String FETCHES_OPEN = "polyworker.fetches.open";

  private final MeterRegistry registry;
  private final Tags common;
  /** The meters of one (worker, engine, topic), made on its first event. */
  private final ConcurrentMap<Key, Meters> meters = new ConcurrentHashMap<>();

  private JobWorkerMetrics(MeterRegistry registry, Tags common) {
    this.registry = registry;
    this.common = common;
  }

  /** Meters in {@code registry}, tagged with engine, topic and worker. */
  public static JobWorkerMetrics create(MeterRegistry registry) {
    return create(registry, Tags.empty());
  }

  /** Meters in {@code registry}, tagged with engine, topic, worker and {@code commonTags}. */
  public static JobWorkerMetrics create(MeterRegistry registry, Iterable<Tag> commonTags) {
    return new JobWorkerMetrics(Objects.requireNonNull(registry, "registry"), Tags.of(commonTags));
  }

  /**
   * Registers the gauges of every subscription of {@code worker} and returns it. Call it once per
   * worker, before or after {@link JobWorker#start()}; the gauges read {@link JobWorker#subscriptions()}
   * and hold the worker weakly, as Micrometer gauges do.
   */
  /** As a plugin: this listener for the worker's events. */
  @Override
  public WorkerListener listener() {
    return this;
  }

  /** As a plugin: the gauges of the built worker, as {@link #bindTo(JobWorker)}. */
  @Override
  public void built(JobWorker worker) {
    bindTo(worker);
  }

  public JobWorker bindTo(JobWorker worker) {
    for (SubscriptionState s : worker.subscriptions()) {
      Tags tags = tags(worker.workerId(), s.engine(), s.topic());
      gauge(SLOTS_USED, "jobs holding a slot", worker, s.topic(), tags, SubscriptionState::jobsHeld);
      gauge(SLOTS_LIMIT, "the subscription's maxConcurrentJobs", worker, s.topic(), tags,
          SubscriptionState::slotLimit);
      gauge(WAITING, "pushed jobs waiting for a slot", worker, s.topic(), tags,
          SubscriptionState::jobsWaiting);
      gauge(FETCHES_OPEN, "open fetches, long polls and job streams", worker, s.topic(), tags,
          SubscriptionState::fetchesOpen);
    }
    return worker;
  }

  private void gauge(String name, String description, JobWorker worker, String topic, Tags tags,
      ToIntFunction<SubscriptionState> value) {
    Gauge.builder(name, worker, w -> read(w, topic, value)).description(description).tags(tags)
        .register(registry);
  }

  private static double read(JobWorker worker, String topic, ToIntFunction<SubscriptionState> value) {
    for (SubscriptionState s : worker.subscriptions()) {
      if (s.topic().equals(topic)) {
        return value.applyAsInt(s);
      }
    }
    return Double.NaN;
  }

  @Override
  public void onEvent(WorkerEvent e) {
    Meters m = meters.computeIfAbsent(new Key(e.workerId(), e.engine(), e.topic()), this::meters);
    switch (e.type()) {
      case FETCHED -> {
        m.activated.increment(e.count());
        m.fetchJobs.record(e.duration());
      }
      case PUSHED -> m.activated.increment();
      case POLL_EMPTY -> m.fetchEmpty.record(e.duration());
      case POLL_ERROR -> {
        m.fetchErrors.increment();
        m.fetchError.record(e.duration());
      }
      case STARTED -> m.queue.record(e.inWorker());
      case COMPLETED -> m.completed.accept(e);
      case FAILED -> {
        m.failed.accept(e);
        if (e.error() instanceof MalformedAnswerException && e.duration().isZero()) {
          m.unreadable.increment();
        }
      }
      case BPMN_ERROR -> m.bpmnError.accept(e);
      case TERMINATED -> m.terminated.accept(e);
      case RELEASED -> m.released.increment();
      case LOCK_LOST -> m.lockLost.increment();
      case ALREADY_COMPLETED -> m.alreadyCompleted.increment();
      case REPORT_RETRIED -> m.reportRetries.increment();
      case REPORT_FAILED -> m.reportFailures.increment();
      case LOCK_EXTENDED -> { }
      default -> { }
    }
  }

  private Meters meters(Key key) {
    return new Meters(registry, tags(key.workerId(), key.engine(), key.topic()));
  }

  private Tags tags(String workerId, String engine, String topic) {
    return common.and("engine", engine, "topic", topic, "worker", workerId);
  }

  private record Key(String workerId, String engine, String topic) {}

  /** One accepted outcome: its counter, its handler timer and its end-to-end timer. */
  private static final class Outcome {
    private final Counter reported;
    private final Timer handler;
    private final Timer endToEnd;

    Outcome(MeterRegistry registry, Tags tags, String outcome) {
      Tags t = tags.and("outcome", outcome.toLowerCase(Locale.ROOT));
      reported = Counter.builder(REPORTED).description("results the engine accepted").tags(t)
          .register(registry);
      handler = Timer.builder(HANDLER).description("handler run time").tags(t).register(registry);
      endToEnd = Timer.builder(END_TO_END).description("from a job's arrival to the engine's answer")
          .tags(t).register(registry);
    }

    void accept(WorkerEvent e) {
      reported.increment();
      handler.record(e.duration());
      endToEnd.record(e.inWorker());
    }
  }

  /** The meters of one (worker, engine, topic). */
  private static final class Meters {
    final Counter activated;
    final Counter unreadable;
    final Counter released;
    final Counter lockLost;
    final Counter alreadyCompleted;
    final Counter reportRetries;
    final Counter reportFailures;
    final Counter fetchErrors;
    final Timer queue;
    final Timer fetchJobs;
    final Timer fetchEmpty;
    final Timer fetchError;
    final Outcome completed;
    final Outcome failed;
    final Outcome bpmnError;
    final Outcome terminated;

    Meters(MeterRegistry registry, Tags tags) {
      activated = counter(registry, ACTIVATED, "jobs the engine handed to this worker", tags);
      unreadable = counter(registry, UNREADABLE, "unreadable jobs failed without a handler", tags);
      released = counter(registry, RELEASED, "jobs handed back unstarted", tags);
      lockLost = counter(registry, LOCK_LOST, "locks this worker lost", tags);
      alreadyCompleted = counter(registry, ALREADY_COMPLETED, "results refused: the job no longer exists",
          tags);
      reportRetries = counter(registry, REPORT_RETRIES, "result reports sent again", tags);
      reportFailures = counter(registry, REPORT_FAILURES, "reports given up", tags);
      fetchErrors = counter(registry, FETCH_ERRORS, "fetches that failed", tags);
      queue = Timer.builder(QUEUE).description("time in the worker before the handler started").tags(tags)
          .register(registry);
      fetchJobs = fetchTimer(registry, tags, "jobs");
      fetchEmpty = fetchTimer(registry, tags, "empty");
      fetchError = fetchTimer(registry, tags, "error");
      completed = new Outcome(registry, tags, "completed");
      failed = new Outcome(registry, tags, "failed");
      bpmnError = new Outcome(registry, tags, "bpmn_error");
      terminated = new Outcome(registry, tags, "terminated");
    }

    private static Counter counter(MeterRegistry registry, String name, String description, Tags tags) {
      return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private static Timer fetchTimer(MeterRegistry registry, Tags tags, String result) {
      return Timer.builder(FETCH).description("fetch or long poll round trip").tags(tags.and("result", result))
          .register(registry);
    }
  }
}
