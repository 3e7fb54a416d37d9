package io.polyworker.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.polyworker.DeploymentResource;
import io.polyworker.engine.Engine;
import io.polyworker.internal.DefaultVariables;
import io.polyworker.JobHandler;
import io.polyworker.SubscriptionOptions;
import io.polyworker.Variables;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerListener;
import io.polyworker.WorkerOptions;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.worker.JobWorker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * What every contract group of the {@link EngineCompatibilityKit} shares: the engine under test
 * (through {@link #kit()}, which holds the fixture for the whole test class) and the helpers the
 * contracts are written with. Each group ({@link FetchedJobsKit}, {@link LocksKit}, …) extends this
 * class, and the kit runs it as one of its {@code @Nested} classes.
 */
abstract class KitSupport {

  /** Generous bound for engine-side asynchrony (Flowable completes asynchronously, resets locks every second). */
  static final Duration PATIENCE = Duration.ofSeconds(30);
  /**
   * The long-poll timeout of the kit's workers. Short, because close() waits for a long poll in
   * flight (hanging up would leave the engine to lock a job for a worker that is gone), and the kit
   * closes a worker in nearly every contract.
   */
  static final Duration LONG_POLL = Duration.ofSeconds(1);

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /** The kit this group runs in: it opens the fixture once per test class and closes workers after each test. */
  abstract EngineCompatibilityKit kit();

  /** The fixture of the engine under test. */
  final EngineFixture fixture() {
    return kit().fixture();
  }

  /** The engine under test. */
  final Engine engine() {
    return kit().engine();
  }

  /** The job operations of the engine under test. */
  final EngineClient client() {
    return kit().client();
  }

  /** Closes every worker the test started now, rather than after the test. */
  final void closeWorkers() {
    kit().closeWorkers();
  }

  /** A fresh id that is a valid XML name. */
  static String unique(String prefix) {
    return prefix + "_" + SEQUENCE.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  }

  /** Deploys a test process to the engine under test; returns it, to start instances of. */
  final TestProcess deploy(TestProcess process) {
    engine().processClient().deploy(DeploymentResource.of(process.resourceName(),
        process.toXml(fixture().dialect())));
    return process;
  }

  /** Starts an instance. */
  final String start(TestProcess process, Map<String, ?> variables, @Nullable String businessKey) {
    return engine().processClient().startProcess(process.id(), variables, businessKey);
  }

  /** A one-task process for {@code topic}, the task's element id {@code task}. */
  static TestProcess simple(String topic) {
    return TestProcess.named(unique("p")).task("task", topic);
  }

  /** Deploys a one-task process for {@code topic}; returns it, to start instances of. */
  final TestProcess deploySimple(String topic) {
    return deploy(simple(topic));
  }

  /** Deploys a one-task process for {@code topic} and starts one instance of it; returns its id. */
  final String startSimple(String topic) {
    return start(deploySimple(topic), Map.of(), null);
  }

  /** One started instance of a one-task process, its job waiting on a topic of its own. */
  record OneJob(String topic, String instance) { }

  /** A fresh topic with one job waiting on it: one instance of a one-task process for it, started. */
  final OneJob startOneJob() {
    String topic = unique("t");
    return new OneJob(topic, startSimple(topic));
  }

  /** {@link #startOneJob()}, for contracts that need only the topic. */
  final String topicWithOneJob() {
    return startOneJob().topic();
  }

  /**
   * A job that one worker has fetched and holds the lock of: the instance it belongs to (the id
   * {@code start} returned), its topic, the id of the worker and the job as fetched.
   */
  record HeldJob(String instance, String topic, String worker, LockedJob job) { }

  /** {@link #holdOneJob(Duration)} with a 30 s lock, which no contract outlives. */
  final HeldJob holdOneJob() {
    return holdOneJob(Duration.ofSeconds(30));
  }

  /** {@link #startOneJob()}, its job then fetched by a fresh worker that locks it for {@code lock}. */
  final HeldJob holdOneJob(Duration lock) {
    OneJob one = startOneJob();
    return hold(one.instance(), one.topic(), lock);
  }

  /**
   * Starts an instance of {@code process} without variables and fetches its job on {@code topic}
   * as a fresh worker, with a 30 s lock.
   */
  final HeldJob startAndHold(TestProcess process, String topic) {
    return hold(start(process, Map.of(), null), topic, Duration.ofSeconds(30));
  }

  private HeldJob hold(String instance, String topic, Duration lock) {
    String worker = unique("w");
    return new HeldJob(instance, topic, worker, fetchOne(worker, topic, lock));
  }

  /**
   * A deployed one-task process whose task's BPMN error with a given code is caught by a boundary
   * event, and the fresh topic of the job (element {@code onError}) that the error path offers.
   */
  record CatchingProcess(TestProcess process, String caughtTopic) { }

  /** Deploys a one-task process for {@code topic} whose BPMN error {@code code} its error path catches. */
  final CatchingProcess deployCatching(String topic, String code) {
    String caught = unique("caught");
    return new CatchingProcess(deploy(simple(topic).catchError("task", code, caught)), caught);
  }

  /** Starts {@code count} instances of {@code process}, without variables; returns their ids in order. */
  final List<String> startInstances(TestProcess process, int count) {
    List<String> instances = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      instances.add(start(process, Map.of(), null));
    }
    return instances;
  }

  /** Waits until the instance is in {@code state}. */
  final void awaitState(String instance, InstanceState state) {
    await().atMost(PATIENCE).until(() -> fixture().instanceState(instance) == state);
  }

  /** One fetch attempt. */
  final List<LockedJob> fetch(String workerId, String topic, int max, Duration lock) {
    return fetch(FetchRequest.of(workerId, topic, max, lock));
  }

  /** One fetch attempt with a full request. */
  final List<LockedJob> fetch(FetchRequest request) {
    try {
      return client().fetchAndLock(request).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Fetches, as a fresh worker with a 30 s lock, until one job of the topic arrives. */
  final LockedJob fetchOne(String topic) {
    return fetchOne(unique("w"), topic, Duration.ofSeconds(30));
  }

  /** Fetches until one job of the topic arrives (engines create jobs asynchronously). */
  final LockedJob fetchOne(String workerId, String topic, Duration lock) {
    return fetchOne(FetchRequest.of(workerId, topic, 1, lock));
  }

  /** Fetches until one job arrives. */
  final LockedJob fetchOne(FetchRequest request) {
    List<LockedJob> got = new ArrayList<>();
    await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> {
      got.addAll(fetch(request));
      return !got.isEmpty();
    });
    assertThat(got).hasSize(1);
    return got.get(0);
  }

  /**
   * A worker on the engine under test that collects its events in {@code events}, closed after the
   * test; its subscription long-polls for {@link #LONG_POLL} at most.
   */
  final JobWorker startWorker(String topic, JobHandler handler, SubscriptionOptions options,
      List<WorkerEvent> events) {
    return startWorker(topic, handler, options, events::add);
  }

  /** {@link #startWorker(String, JobHandler, SubscriptionOptions, List)} with its events sent to {@code listener}. */
  final JobWorker startWorker(String topic, JobHandler handler, SubscriptionOptions options,
      WorkerListener listener) {
    return openWorker(engine(), topic, handler,
        options.toBuilder().longPollTimeout(LONG_POLL).build(), listener,
        Duration.ofSeconds(20));
  }

  /** A worker with the default options whose events the contract does not look at. */
  final JobWorker startWorker(String topic, JobHandler handler) {
    return startWorker(topic, handler, SubscriptionOptions.defaults(), event -> { });
  }

  /**
   * A worker on {@code on} (the engine under test or a second one from the fixture), closed after
   * the test; unlike {@link #startWorker} it keeps the subscription's long-poll timeout.
   */
  final JobWorker openWorker(Engine on, String topic, JobHandler handler, SubscriptionOptions options,
      WorkerListener listener, Duration drainTimeout) {
    JobWorker worker = JobWorker.builder(on)
        .options(WorkerOptions.builder()
            .workerId(unique("worker"))
            .emptyPollBackoff(Duration.ofMillis(10), Duration.ofMillis(200))
            .pollErrorBackoff(Duration.ofMillis(50), Duration.ofSeconds(1))
            .drainTimeout(drainTimeout)
            .listener(listener)
            .build())
        .subscribe(topic, handler, options)
        .build();
    kit().closeAfterTest(worker);
    return worker.start();
  }

  /** How many of the events are of {@code type}. */
  static long count(List<WorkerEvent> events, WorkerEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).count();
  }

  /** Skips the contract, with the engine's reason, unless the engine has {@code capability}. */
  final void require(Capability capability) {
    assumeTrue(engine().capabilities().has(capability),
        () -> engine().id() + ": " + engine().capabilities().whyMissing(capability));
  }

  /** Waits until every instance has completed; asks the engine only about those still running. */
  final void awaitCompleted(Collection<String> instances) {
    Set<String> running = ConcurrentHashMap.newKeySet();
    running.addAll(instances);
    await("every instance completed").atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          running.removeIf(i -> fixture().instanceState(i) == InstanceState.COMPLETED);
          return running.isEmpty();
        });
  }

  /**
   * Prints a measured figure of a contract as one {@code MEASURED} line on standard output (the
   * surefire report's output file), before its assertions, so that failing runs say by how much.
   */
  final void measured(String contract, String format, Object... args) {
    System.out.println("MEASURED " + engine().id() + " " + contract + ": "
        + String.format(java.util.Locale.ROOT, format, args));
  }

  /** Variables of every type the contracts expect to survive a round trip through the engine. */
  static Map<String, Object> sampleVariables() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("text", "héllo");
    v.put("count", 42);
    v.put("big", 1_234_567_890_123L);
    v.put("flag", true);
    v.put("ratio", 2.5);
    v.put("when", Instant.parse("2026-11-21T10:15:30.123Z"));
    v.put("order", Map.of("id", "A-1", "lines", List.of(1, 2, 3)));
    v.put("nothing", null);
    return v;
  }

  /** Asserts that a job's variables, as fetched, hold the {@link #sampleVariables()} with their types. */
  static void assertSampleVariables(Map<String, @Nullable Object> fetched) {
    assertSampleVariables(DefaultVariables.of(fetched));
  }

  /** Asserts that {@code vars} hold the {@link #sampleVariables()} with their types. */
  static void assertSampleVariables(Variables vars) {
    assertThat(vars.get("text", String.class)).isEqualTo("héllo");
    assertThat(vars.get("count", Integer.class)).isEqualTo(42);
    assertThat(vars.get("big", Long.class)).isEqualTo(1_234_567_890_123L);
    assertThat(vars.get("flag", Boolean.class)).isTrue();
    assertThat(vars.get("ratio", Double.class)).isEqualTo(2.5);
    assertThat(vars.get("when", Instant.class)).isEqualTo(Instant.parse("2026-11-21T10:15:30.123Z"));
    Order order = vars.get("order", Order.class);
    assertThat(order.id).isEqualTo("A-1");
    assertThat(order.lines).containsExactly(1, 2, 3);
    assertThat(vars.contains("nothing")).isTrue();
    assertThat(vars.get("nothing")).isNull();
  }

  /** A POJO for typed variable access. */
  public static final class Order {
    public String id;
    public List<Integer> lines;
  }
}
