package io.polyworker.testkit;

import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.WorkerThreads;
import io.polyworker.internal.DefaultVariables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.polyworker.BpmnError;
import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.EngineUnavailableException;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.MessageAlreadyExistsException;
import io.polyworker.ProcessAwaitTimeoutException;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessInstanceFailedException;
import io.polyworker.ProcessResult;
import io.polyworker.PublishMessage;
import io.polyworker.StartProcess;
import io.polyworker.Engine;
import io.polyworker.JobHandler;
import io.polyworker.JobLockLostException;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.MalformedAnswerException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerListener;
import io.polyworker.WorkerOptions;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The contracts every engine module must honour, as abstract JUnit 5 tests run against a REAL engine.
 * An engine module runs them with a small subclass that supplies an {@link EngineFixture}:
 *
 * <pre>{@code
 * class CamundaCompatibilityTest extends EngineCompatibilityKit {
 *   protected EngineFixture createFixture() { return new CamundaFixture(LocalCamunda.shared()); }
 * }
 * }</pre>
 *
 * <p>Contracts that need a {@link Capability} the engine lacks are skipped with the engine's own
 * reason ({@link io.polyworker.spi.EngineCapabilities#whyMissing}), so they show up in the report as
 * skipped, never silently absent. Every test deploys its own process with unique ids and topics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(EngineCompatibilityKit.NamedAfterTheEngine.class)
public abstract class EngineCompatibilityKit {

  /**
   * Names each contract group after the engine module's subclass ("CamundaCompatibilityTest >
   * Locks"), so that test reports say which engine a contract ran on, not only "Locks".
   */
  static final class NamedAfterTheEngine extends DisplayNameGenerator.Standard {
    @Override
    public String generateDisplayNameForNestedClass(List<Class<?>> enclosingInstanceTypes,
        Class<?> nestedClass) {
      if (enclosingInstanceTypes.isEmpty()) {
        return super.generateDisplayNameForNestedClass(enclosingInstanceTypes, nestedClass);
      }
      return enclosingInstanceTypes.get(enclosingInstanceTypes.size() - 1).getSimpleName() + " > "
          + nestedClass.getSimpleName();
    }
  }

  /** The JUnit tag of the {@link ProductionPath} contracts. */
  public static final String PRODUCTION_PATH = "production-path";

  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  /** Generous bound for engine-side asynchrony (Flowable completes asynchronously, resets locks every second). */
  protected static final Duration PATIENCE = Duration.ofSeconds(30);

  private EngineFixture fixture;
  private Engine engine;
  private EngineClient client;
  private final List<JobWorker> workers = new CopyOnWriteArrayList<>();

  /** Creates the fixture for the engine under test; called once per test class. */
  protected abstract EngineFixture createFixture();

  @BeforeAll
  void openFixture() {
    fixture = createFixture();
    engine = fixture.engine();
    client = engine.jobClient();
  }

  @AfterAll
  void closeFixture() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @AfterEach
  void closeWorkers() {
    workers.forEach(JobWorker::close);
    workers.clear();
  }

  // ------------------------------------------------------------------ helpers for contracts

  /** The fixture of the engine under test. */
  protected EngineFixture fixture() {
    return fixture;
  }

  /** A fresh id that is a valid XML name. */
  protected static String unique(String prefix) {
    return prefix + "_" + SEQUENCE.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  }

  /** Deploys a test process to the engine under test. */
  protected void deploy(TestProcess process) {
    engine.processClient().deploy(DeploymentResource.of(process.resourceName(),
        process.toXml(fixture.dialect())));
  }

  /** Starts an instance. */
  protected String start(TestProcess process, Map<String, ?> variables, @Nullable String businessKey) {
    return engine.processClient().startProcess(process.id(), variables, businessKey);
  }

  /** One fetch attempt. */
  protected List<LockedJob> fetch(String workerId, String topic, int max, Duration lock) {
    return fetch(FetchRequest.of(workerId, topic, max, lock));
  }

  /** One fetch attempt with a full request. */
  protected List<LockedJob> fetch(FetchRequest request) {
    try {
      return client.fetchAndLock(request).get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Fetches until one job of the topic arrives (engines create jobs asynchronously). */
  protected LockedJob fetchOne(String workerId, String topic, Duration lock) {
    return fetchOne(FetchRequest.of(workerId, topic, 1, lock));
  }

  /** Fetches until one job arrives. */
  protected LockedJob fetchOne(FetchRequest request) {
    List<LockedJob> got = new ArrayList<>();
    await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> {
      got.addAll(fetch(request));
      return !got.isEmpty();
    });
    assertThat(got).hasSize(1);
    return got.get(0);
  }

  /** A worker that is closed after the test. */
  protected JobWorker startWorker(String topic, JobHandler handler, SubscriptionOptions options,
      List<WorkerEvent> events) {
    JobWorker worker = JobWorker.builder(engine)
        .options(WorkerOptions.builder()
            .workerId(unique("worker"))
            .emptyPollBackoff(Duration.ofMillis(10), Duration.ofMillis(200))
            .pollErrorBackoff(Duration.ofMillis(50), Duration.ofSeconds(1))
            .drainTimeout(Duration.ofSeconds(20))
            .listener(events::add)
            .build())
        .subscribe(topic, handler, options.toBuilder().longPollTimeout(Duration.ofSeconds(2)).build())
        .build();
    workers.add(worker);
    return worker.start();
  }

  /**
   * A worker on {@code on} (the engine under test or a second one from the fixture), closed after
   * the test; unlike {@link #startWorker} it keeps the subscription's long-poll timeout.
   */
  private JobWorker openWorker(Engine on, String topic, JobHandler handler, SubscriptionOptions options,
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
    workers.add(worker);
    return worker.start();
  }

  /**
   * Prints a measured figure of a contract as one {@code MEASURED} line on standard output (the
   * surefire report's output file), before its assertions, so that failing runs say by how much.
   */
  private void measured(String contract, String format, Object... args) {
    System.out.println("MEASURED " + engine.id() + " " + contract + ": "
        + String.format(java.util.Locale.ROOT, format, args));
  }

  /** Waits until every instance has completed; asks the engine only about those still running. */
  private void awaitCompleted(Collection<String> instances) {
    Set<String> running = ConcurrentHashMap.newKeySet();
    running.addAll(instances);
    await("every instance completed").atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          running.removeIf(i -> fixture.instanceState(i) == InstanceState.COMPLETED);
          return running.isEmpty();
        });
  }

  private static long count(List<WorkerEvent> events, WorkerEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).count();
  }

  private void require(Capability capability) {
    assumeTrue(engine.capabilities().has(capability),
        () -> engine.id() + ": " + engine.capabilities().whyMissing(capability));
  }

  private TestProcess simple(String topic) {
    return TestProcess.named(unique("p")).task("task", topic);
  }

  /** Deploys a one-task process for {@code topic} and starts one instance of it; returns its id. */
  private String startSimple(String topic) {
    TestProcess p = simple(topic);
    deploy(p);
    return start(p, Map.of(), null);
  }

  private static Map<String, Object> sampleVariables() {
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

  private static void assertSampleVariables(io.polyworker.Variables vars) {
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

  // ------------------------------------------------------------------ contracts

  @Nested
  @DisplayName("fetched jobs")
  class FetchedJobs {

    @Test
    @DisplayName("every job field is populated")
    void everyFieldIsPopulated() {
      String topic = unique("t");
      TestProcess p = simple(topic).header("region", "eu");
      deploy(p);
      String businessKey = unique("bk");
      String instance = start(p, Map.of("count", 7), businessKey);
      Instant before = Instant.now();
      LockedJob job = fetchOne(unique("w"), topic, Duration.ofSeconds(30));

      assertThat(job.engine()).isEqualTo(engine.id());
      assertThat(job.id()).isNotBlank();
      assertThat(job.topic()).isEqualTo(topic);
      assertThat(job.processInstanceId()).isEqualTo(instance);
      assertThat(job.processDefinitionKey()).isEqualTo(p.id());
      assertThat(job.elementId()).isEqualTo("task");
      assertThat(job.lockExpiresAt()).isAfter(before.plusSeconds(20)).isBefore(Instant.now().plusSeconds(40));
      assertThat(job.variables()).containsEntry("count", 7);
      assertThat(job.nativeJob()).isNotNull();
      if (engine.capabilities().has(Capability.BUSINESS_KEY_FILTER)) {
        assertThat(job.businessKey()).isEqualTo(businessKey);
      }
      if (fixture.dialect() != Dialect.FLOWABLE) {
        assertThat(job.headers()).containsEntry("region", "eu");
      }
      if (job.retries() != null) {
        assertThat(job.retries()).isPositive();
      }
    }

    @Test
    @DisplayName("typed variables arrive with their types and convert to POJOs")
    void typedVariables() {
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      start(p, sampleVariables(), null);
      LockedJob job = fetchOne(unique("w"), topic, Duration.ofSeconds(30));
      assertSampleVariables(io.polyworker.internal.DefaultVariables.of(job.variables()));
    }

    @Test
    @DisplayName("the variables filter fetches only the named variables")
    void variablesFilter() {
      require(Capability.VARIABLE_FILTER);
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      start(p, Map.of("wanted", 1, "unwanted", 2), null);
      FetchRequest request = new FetchRequest(unique("w"), topic, 1, Duration.ofSeconds(30),
          List.of("wanted"), Duration.ZERO, null, null, null, false);
      LockedJob job = fetchOne(request);
      assertThat(job.variables()).containsOnlyKeys("wanted");
    }

    @Test
    @DisplayName("the business key filter fetches only that instance's jobs")
    void businessKeyFilter() {
      require(Capability.BUSINESS_KEY_FILTER);
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      start(p, Map.of(), "other");
      String wanted = start(p, Map.of(), "wanted");
      FetchRequest request = new FetchRequest(unique("w"), topic, 5, Duration.ofSeconds(30), null,
          Duration.ZERO, "wanted", null, null, false);
      LockedJob job = fetchOne(request);
      assertThat(job.processInstanceId()).isEqualTo(wanted);
      assertThat(fetch(request)).isEmpty();
    }

    @Test
    @DisplayName("fetch asks for at most the free capacity")
    void maxJobsIsHonoured() {
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      for (int i = 0; i < 3; i++) {
        start(p, Map.of(), null);
      }
      String w = unique("w");
      List<LockedJob> all = new ArrayList<>();
      await().atMost(PATIENCE).until(() -> {
        List<LockedJob> got = fetch(w, topic, 2, Duration.ofSeconds(30));
        assertThat(got.size()).isLessThanOrEqualTo(2);
        all.addAll(got);
        return all.size() == 3;
      });
    }
  }

  @Nested
  @DisplayName("results")
  class Results {

    @Test
    @DisplayName("complete with variables is visible in the process")
    void completeWithVariables() {
      String topic = unique("t");
      String next = unique("next");
      TestProcess p = TestProcess.named(unique("p")).task("task", topic).task("second", next);
      deploy(p);
      String instance = start(p, Map.of(), null);
      String w = unique("w");
      LockedJob job = fetchOne(w, topic, Duration.ofSeconds(30));
      client.complete(job, w, sampleVariables(), Map.of());
      LockedJob second = fetchOne(unique("w"), next, Duration.ofSeconds(30));
      assertThat(second.processInstanceId()).isEqualTo(instance);
      assertSampleVariables(io.polyworker.internal.DefaultVariables.of(second.variables()));
    }

    @Test
    @DisplayName("complete with local variables keeps them out of the process scope")
    void completeWithLocalVariables() {
      require(Capability.LOCAL_VARIABLES);
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      String instance = start(p, Map.of(), null);
      String w = unique("w");
      LockedJob job = fetchOne(w, topic, Duration.ofSeconds(30));
      client.complete(job, w, Map.of("global", "g"), Map.of("local", "l"));
      await().atMost(PATIENCE).until(() -> fixture.instanceState(instance) == InstanceState.COMPLETED);
      assertThat(fixture.processVariables(instance)).containsEntry("global", "g").doesNotContainKey("local");
      assertThat(fixture.localVariables(instance, "task")).containsEntry("local", "l");
    }

    @Test
    @DisplayName("a failure with retries and backoff offers the job again only after the backoff")
    void failureWithBackoff() {
      String topic = unique("t");
      startSimple(topic);
      String w = unique("w");
      LockedJob job = fetchOne(w, topic, Duration.ofSeconds(30));
      Instant failedAt = Instant.now();
      client.fail(job, w, "boom", "details", 2, Duration.ofSeconds(3));
      assertThat(fetch(w, topic, 1, Duration.ofSeconds(30))).isEmpty();
      LockedJob again = fetchOne(w, topic, Duration.ofSeconds(30));
      assertThat(Duration.between(failedAt, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
      assertThat(again.id()).isEqualTo(job.id());
      assertThat(again.retries()).isEqualTo(2);
    }

    @Test
    @DisplayName("a failure with no retries left raises an incident")
    void failureWithoutRetriesRaisesIncident() {
      require(Capability.INCIDENTS);
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      String instance = start(p, Map.of(), null);
      String w = unique("w");
      LockedJob job = fetchOne(w, topic, Duration.ofSeconds(30));
      client.fail(job, w, "no luck", "stack", 0, Duration.ZERO);
      await().atMost(PATIENCE).until(() -> fixture.hasIncident(instance));
      assertThat(fetch(w, topic, 1, Duration.ofSeconds(30))).isEmpty();
      assertThat(fixture.instanceState(instance)).isEqualTo(InstanceState.ACTIVE);
    }

    @Test
    @DisplayName("a BPMN error with variables is caught by a boundary event")
    void bpmnErrorIsCaught() {
      String topic = unique("t");
      String caught = unique("caught");
      TestProcess p = simple(topic).catchError("task", "NO_STOCK", caught);
      deploy(p);
      String instance = start(p, Map.of(), null);
      String w = unique("w");
      LockedJob job = fetchOne(w, topic, Duration.ofSeconds(30));
      client.bpmnError(job, w, "NO_STOCK", "out of stock", Map.of("reason", "sold out"));
      LockedJob onError = fetchOne(unique("w"), caught, Duration.ofSeconds(30));
      assertThat(onError.processInstanceId()).isEqualTo(instance);
      assertThat(onError.elementId()).isEqualTo("onError");
      assertThat(onError.variables()).containsEntry("reason", "sold out");
    }

    @Test
    @DisplayName("a result for a job that no longer exists raises NotFound, not success")
    void resultForUnknownJob() {
      String topic = unique("t");
      startSimple(topic);
      String w = unique("w");
      LockedJob job = fetchOne(w, topic, Duration.ofSeconds(30));
      client.complete(job, w, Map.of(), Map.of());
      assertThatThrownBy(() -> client.complete(job, w, Map.of(), Map.of()))
          .isInstanceOf(NotFoundException.class)
          .satisfies(e -> assertThat(((PolyworkerException) e).engine()).isEqualTo(engine.id()));
    }
  }

  @Nested
  @DisplayName("locks")
  class Locks {

    @Test
    @DisplayName("extendLock keeps the job from other workers past the original expiry")
    void extendLockKeepsJob() {
      require(Capability.LOCK_EXTENSION);
      String topic = unique("t");
      startSimple(topic);
      String w1 = unique("w1");
      LockedJob job = fetchOne(w1, topic, Duration.ofSeconds(2));
      Instant newExpiry = client.extendLock(job, w1, Duration.ofSeconds(20));
      assertThat(newExpiry).isAfter(Instant.now().plusSeconds(15));
      String w2 = unique("w2");
      await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8))
          .until(() -> fetch(w2, topic, 1, Duration.ofSeconds(30)).isEmpty());
      client.complete(job, w1, Map.of(), Map.of());
    }

    @Test
    @DisplayName("after lock expiry another worker gets the job and the first worker's result is rejected as lock lost")
    void expiredLockIsLost() {
      require(Capability.LOCK_OWNERSHIP);
      String topic = unique("t");
      startSimple(topic);
      String w1 = unique("w1");
      LockedJob first = fetchOne(w1, topic, Duration.ofSeconds(1));
      String w2 = unique("w2");
      LockedJob second = fetchOne(w2, topic, Duration.ofSeconds(30));
      assertThat(second.id()).isEqualTo(first.id());
      assertThatThrownBy(() -> client.complete(first, w1, Map.of(), Map.of()))
          .isInstanceOf(JobLockLostException.class);
      client.complete(second, w2, Map.of(), Map.of());
    }

    @Test
    @DisplayName("release makes the job fetchable at once, retries unchanged")
    void releaseMakesJobFetchable() {
      require(Capability.RELEASE);
      String topic = unique("t");
      startSimple(topic);
      String w1 = unique("w1");
      LockedJob job = fetchOne(w1, topic, Duration.ofSeconds(60));
      client.release(job, w1);
      String w2 = unique("w2");
      List<LockedJob> got = new ArrayList<>();
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> got.addAll(fetch(w2, topic, 1, Duration.ofSeconds(30))));
      assertThat(got.get(0).id()).isEqualTo(job.id());
      assertThat(got.get(0).retries()).isEqualTo(job.retries());
    }
  }

  @Nested
  @DisplayName("worker runtime")
  class WorkerRuntime {

    @Test
    @DisplayName("a handler's result, variables and BPMN errors reach the engine")
    void handlerResults() {
      String topic = unique("t");
      String caught = unique("caught");
      TestProcess p = simple(topic).catchError("task", "REJECTED", caught);
      deploy(p);
      String ok = start(p, Map.of("amount", 10), null);
      String rejected = start(p, Map.of("amount", 1000), null);
      List<WorkerEvent> events = new CopyOnWriteArrayList<>();
      startWorker(topic, job -> {
        int amount = job.variables().get("amount", Integer.class);
        if (amount > 100) {
          throw new BpmnError("REJECTED", "too much", Map.of("limit", 100));
        }
        return JobResult.complete(Map.of("approved", true));
      }, SubscriptionOptions.defaults(), events);
      await().atMost(PATIENCE).until(() -> fixture.instanceState(ok) == InstanceState.COMPLETED);
      assertThat(fixture.processVariables(ok)).containsEntry("approved", true);
      LockedJob onError = fetchOne(unique("w"), caught, Duration.ofSeconds(30));
      assertThat(onError.processInstanceId()).isEqualTo(rejected);
      assertThat(onError.variables()).containsEntry("limit", 100);
      assertThat(count(events, WorkerEvent.Type.COMPLETED)).isEqualTo(1);
      assertThat(count(events, WorkerEvent.Type.BPMN_ERROR)).isEqualTo(1);
    }

    @Test
    @DisplayName("a thrown exception fails the job with retries - 1, the backoff and the stack trace")
    void exceptionBecomesFailure() {
      String topic = unique("t");
      startSimple(topic);
      List<WorkerEvent> events = new CopyOnWriteArrayList<>();
      AtomicInteger calls = new AtomicInteger();
      JobWorker worker = startWorker(topic, job -> {
        calls.incrementAndGet();
        throw new IllegalStateException("database down");
      }, SubscriptionOptions.builder().retryBackoff(Duration.ofSeconds(30)).defaultRetries(3).build(),
          events);
      await().atMost(PATIENCE).until(() -> count(events, WorkerEvent.Type.FAILED) == 1);
      worker.close();
      assertThat(calls).hasValue(1);
      WorkerEvent failed = events.stream().filter(e -> e.type() == WorkerEvent.Type.FAILED)
          .findFirst().orElseThrow();
      assertThat(failed.error()).hasMessage("database down");
      // The job is locked for the backoff: nobody gets it now.
      assertThat(fetch(unique("w"), topic, 1, Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    @DisplayName("a handler returning null fails the job with a clear message, retries - 1")
    void nullResultBecomesFailure() {
      String topic = unique("t");
      startSimple(topic);
      List<WorkerEvent> events = new CopyOnWriteArrayList<>();
      JobWorker worker = startWorker(topic, job -> null,
          SubscriptionOptions.builder().retryBackoff(Duration.ofSeconds(1)).defaultRetries(3).build(),
          events);
      await().atMost(PATIENCE).until(() -> count(events, WorkerEvent.Type.FAILED) >= 1);
      worker.close();
      LockedJob again = fetchOne(unique("w"), topic, Duration.ofSeconds(30));
      assertThat(again.retries()).isEqualTo(2);
    }

    @Test
    @DisplayName("the concurrency limit is never exceeded")
    void concurrencyLimit() {
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      int jobs = 12;
      for (int i = 0; i < jobs; i++) {
        start(p, Map.of(), null);
      }
      AtomicInteger now = new AtomicInteger();
      AtomicInteger peak = new AtomicInteger();
      AtomicInteger done = new AtomicInteger();
      List<WorkerEvent> events = new CopyOnWriteArrayList<>();
      startWorker(topic, job -> {
        int running = now.incrementAndGet();
        peak.accumulateAndGet(running, Math::max);
        try {
          Thread.sleep(150); // simulated work, not synchronisation
        } finally {
          now.decrementAndGet();
          done.incrementAndGet();
        }
        return JobResult.complete();
      }, SubscriptionOptions.builder().maxConcurrentJobs(3).build(), events);
      await().atMost(PATIENCE).until(() -> count(events, WorkerEvent.Type.COMPLETED) == jobs);
      assertThat(peak.get()).isBetween(2, 3);
      assertThat(events.stream().filter(e -> e.type() == WorkerEvent.Type.FETCHED)
          .mapToInt(WorkerEvent::count)).allMatch(n -> n <= 3);
    }

    @Test
    @DisplayName("a topic with no handler never takes a job")
    void unsubscribedTopicIsUntouched() {
      String topic = unique("t");
      String other = unique("other");
      TestProcess p = simple(topic);
      deploy(p);
      deploy(simple(other));
      start(p, Map.of(), null);
      List<WorkerEvent> events = new CopyOnWriteArrayList<>();
      startWorker(other, job -> JobResult.complete(), SubscriptionOptions.defaults(), events);
      await().atMost(PATIENCE).until(() -> count(events, WorkerEvent.Type.POLL_EMPTY) >= 3);
      LockedJob job = fetchOne(unique("w"), topic, Duration.ofSeconds(30));
      assertThat(job.topic()).isEqualTo(topic);
      assertThat(count(events, WorkerEvent.Type.STARTED)).isZero();
    }

    @Test
    @DisplayName("a handler running three times its lock duration completes exactly once")
    void automaticLockExtension() {
      require(Capability.LOCK_EXTENSION);
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      String instance = start(p, Map.of(), null);
      AtomicInteger calls = new AtomicInteger();
      List<WorkerEvent> events = new CopyOnWriteArrayList<>();
      JobHandler slow = job -> {
        calls.incrementAndGet();
        Thread.sleep(3_000); // three lock durations of simulated work
        return JobResult.complete(Map.of("lockLost", job.isLockLost()));
      };
      SubscriptionOptions lock1s = SubscriptionOptions.builder().lockDuration(Duration.ofSeconds(1)).build();
      startWorker(topic, slow, lock1s, events);
      List<WorkerEvent> rivalEvents = new CopyOnWriteArrayList<>();
      startWorker(topic, slow, lock1s, rivalEvents);
      await().atMost(PATIENCE).until(() -> fixture.instanceState(instance) == InstanceState.COMPLETED);
      assertThat(calls).hasValue(1);
      List<WorkerEvent> all = new ArrayList<>(events);
      all.addAll(rivalEvents);
      assertThat(count(all, WorkerEvent.Type.COMPLETED)).isEqualTo(1);
      assertThat(count(all, WorkerEvent.Type.LOCK_EXTENDED)).isGreaterThanOrEqualTo(2);
      assertThat(count(all, WorkerEvent.Type.LOCK_LOST)).isZero();
      assertThat(fixture.processVariables(instance)).containsEntry("lockLost", false);
    }

    @Test
    @DisplayName("a handler outliving its lock without extension sees the lost lock")
    void lockLostWithoutExtension() {
      String topic = unique("t");
      startSimple(topic);
      CountDownLatch lost = new CountDownLatch(1);
      List<WorkerEvent> events = new CopyOnWriteArrayList<>();
      // lockExtension(false) asks for what engines without extension (Flowable) always do.
      startWorker(topic, job -> {
        await().atMost(PATIENCE).until(job::isLockLost);
        lost.countDown();
        return JobResult.complete();
      }, SubscriptionOptions.builder().lockDuration(Duration.ofSeconds(1)).lockExtension(false).build(),
          events);
      await().atMost(PATIENCE).until(() -> lost.getCount() == 0);
      assertThat(count(events, WorkerEvent.Type.LOCK_LOST)).isGreaterThanOrEqualTo(1);
      assertThat(count(events, WorkerEvent.Type.LOCK_EXTENDED)).isZero();
    }

    @Test
    @DisplayName("a result after losing the lock to another worker is reported as lock lost, not success")
    void resultAfterLockLossIsReportedAsLost() {
      require(Capability.LOCK_OWNERSHIP);
      String topic = unique("t");
      startSimple(topic);
      String rival = unique("rival");
      List<WorkerEvent> events = new CopyOnWriteArrayList<>();
      AtomicLong rivalGot = new AtomicLong();
      startWorker(topic, job -> {
        // Wait until another worker has taken the expired job, then answer.
        LockedJob stolen = fetchOne(rival, topic, Duration.ofSeconds(30));
        rivalGot.set(1);
        return JobResult.complete(Map.of("from", "stale"));
      }, // One slot, held by the waiting handler: this worker cannot fetch the expired job itself
         // (then it would run twice and lose two locks), only the rival can.
          SubscriptionOptions.builder().maxConcurrentJobs(1).lockDuration(Duration.ofSeconds(1))
              .lockExtension(false).build(),
          events);
      await().atMost(PATIENCE).until(() -> rivalGot.get() == 1);
      // close() waits for the stale report: the engine refuses it, and the lock counts as lost once
      // (when it ran out, or when the engine refused the result), never as a success.
      closeWorkers();
      assertThat(count(events, WorkerEvent.Type.LOCK_LOST)).isEqualTo(1);
      assertThat(count(events, WorkerEvent.Type.COMPLETED)).isZero();
    }

    @Test
    @DisplayName("close() lets running handlers finish and releases fetched jobs not yet started")
    void closeDrainsAndReleases() {
      require(Capability.RELEASE);
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      List<String> instances = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        instances.add(start(p, Map.of(), null));
      }
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch proceed = new CountDownLatch(1);
      List<WorkerEvent> events = new CopyOnWriteArrayList<>();
      ExecutorService single = Executors.newSingleThreadExecutor();
      try {
        // One handler thread, three slots: the worker holds three jobs but runs only one at a time.
        JobWorker worker = startWorker(topic, job -> {
          running.countDown();
          proceed.await();
          return JobResult.complete();
        }, SubscriptionOptions.builder().maxConcurrentJobs(3).executor(single).build(), events);
        await().atMost(PATIENCE).until(() -> events.stream()
            .filter(e -> e.type() == WorkerEvent.Type.FETCHED).mapToInt(WorkerEvent::count).sum() >= 2
            && running.getCount() == 0);
        Thread closer = new Thread(worker::close);
        closer.start();
        await().atMost(PATIENCE).until(() -> !worker.isRunning());
        proceed.countDown();
        await().atMost(PATIENCE).until(() -> !closer.isAlive());
      } finally {
        proceed.countDown();
        single.shutdownNow();
      }
      assertThat(count(events, WorkerEvent.Type.COMPLETED)).isEqualTo(1);
      long released = count(events, WorkerEvent.Type.RELEASED);
      assertThat(released).isGreaterThanOrEqualTo(1);
      String w = unique("w");
      List<LockedJob> again = new ArrayList<>();
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        again.addAll(fetch(w, topic, 3, Duration.ofSeconds(30)));
        return again.size() >= 2;
      });
    }

    @Test
    @DisplayName("no thread of the worker outlives close()")
    void noThreadLeaks() {
      String topic = unique("t");
      startSimple(topic); // one job, so that a handler thread (virtual on Java 21+) runs
      List<WorkerEvent> events = new CopyOnWriteArrayList<>();
      WorkerThreads before = WorkerThreads.snapshot();
      JobWorker worker = startWorker(topic, job -> JobResult.complete(), SubscriptionOptions.defaults(), events);
      await().atMost(PATIENCE).until(() -> count(events, WorkerEvent.Type.COMPLETED) >= 1);
      worker.close();
      before.awaitNoNewThreads(Duration.ofSeconds(10));
    }
  }

  /**
   * The production path (issue 18): a worker saturated by a backlog, jobs waiting for an executor
   * thread, close() while the engine is unreachable, report errors that end, retry backoffs. These
   * contracts describe what a worker must do whatever the JVM (platform or virtual threads). Tagged
   * {@value #PRODUCTION_PATH}, so that they can be run alone ({@code -Dgroups=production-path}).
   */
  @Nested
  @Tag(PRODUCTION_PATH)
  @DisplayName("production path")
  class ProductionPath {

    @Test
    @DisplayName("a saturated worker (one slot, a backlog created after it opened, so pushed where the engine streams) runs every job exactly once and releases no more jobs than the excess")
    void saturatedWorkerRunsEveryJobOnce() {
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      int jobs = 6;
      Map<String, AtomicInteger> runsByJob = new ConcurrentHashMap<>();
      Map<String, AtomicInteger> runsByInstance = new ConcurrentHashMap<>();
      TimedEvents events = new TimedEvents();
      openWorker(engine, topic, job -> {
        runsByJob.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
        runsByInstance.computeIfAbsent(job.processInstanceId(), k -> new AtomicInteger()).incrementAndGet();
        Thread.sleep(400); // simulated work, not synchronisation
        return JobResult.complete();
      // A 10 s lock: a job the engine pushes while the stream pauses can come back only after its
      // timeout (an open defect on Zeebe, see RELIABILITY.md); it must still run exactly once.
      }, SubscriptionOptions.builder().maxConcurrentJobs(1).lockDuration(Duration.ofSeconds(10))
          .longPollTimeout(Duration.ofSeconds(2)).build(),
          events, Duration.ofSeconds(20));
      // Open first: a stream (Zeebe) pushes only jobs created after it registered.
      await("the worker's first poll").atMost(PATIENCE).until(() -> events.count(WorkerEvent.Type.POLL_EMPTY) >= 1);
      long began = System.nanoTime();
      List<String> instances = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        instances.add(start(p, Map.of(), null));
      }
      awaitCompleted(instances);
      await("a COMPLETED event for every job").atMost(Duration.ofSeconds(10))
          .until(() -> events.count(WorkerEvent.Type.COMPLETED) >= jobs);
      String seen = "events in " + Duration.ofNanos(System.nanoTime() - began).toMillis() + " ms: "
          + events.summary();
      measured("saturated", "1 slot, %d jobs of 400 ms: %s; runs per job %s", jobs, seen,
          runsByJob.values());
      assertThat(runsByInstance).as("handler runs per instance (%s)", seen).containsOnlyKeys(instances);
      assertThat(runsByInstance.values()).as("handler runs per instance (%s)", seen)
          .allSatisfy(n -> assertThat(n).hasValue(1));
      assertThat(runsByJob.values()).as("handler runs per job (%s)", seen)
          .allSatisfy(n -> assertThat(n).hasValue(1));
      assertThat(events.count(WorkerEvent.Type.COMPLETED)).as(seen).isEqualTo(jobs);
      assertThat(events.count(WorkerEvent.Type.RELEASED))
          .as("RELEASED events for %d jobs beyond the one slot (%s)", jobs - 1, seen)
          .isLessThanOrEqualTo(jobs - 1);
      assertThat(events.count(WorkerEvent.Type.LOCK_LOST)).as(seen).isZero();
    }

    /** One handler run: which job, when it started, and until when its lock held as the handler saw it. */
    private record Run(String jobId, Instant started, Instant lockExpiresAt) {}

    @Test
    @DisplayName("a job whose lock ran out while it waited for an executor thread is not run by this worker, is reported as LOCK_LOST and is done once by another worker")
    void jobExpiredInTheQueueIsNotRun() throws Exception {
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      List<String> instances = List.of(start(p, Map.of(), null), start(p, Map.of(), null));
      List<Run> runs = new CopyOnWriteArrayList<>();
      AtomicReference<String> first = new AtomicReference<>();
      CountDownLatch firstRunning = new CountDownLatch(1);
      CountDownLatch proceed = new CountDownLatch(1);
      TimedEvents events = new TimedEvents();
      // One executor thread for two slots: the second job waits for the thread while its lock
      // (2 s, no extension, so nothing keeps it) runs out.
      ExecutorService oneThread = Executors.newSingleThreadExecutor();
      try {
        JobWorker worker = openWorker(engine, topic, job -> {
          runs.add(new Run(job.id(), Instant.now(), job.lockExpiresAt()));
          if (first.compareAndSet(null, job.id())) {
            firstRunning.countDown();
            proceed.await(); // until another worker has taken the queued job
          }
          return JobResult.complete(Map.of("by", "worker"));
        }, SubscriptionOptions.builder().maxConcurrentJobs(2).executor(oneThread)
            .lockDuration(Duration.ofSeconds(2)).lockExtension(false)
            .longPollTimeout(Duration.ofSeconds(2)).build(), events, Duration.ofSeconds(20));
        await("the worker holds both jobs, the second queued behind the busy executor thread")
            .atMost(PATIENCE).until(() -> firstRunning.getCount() == 0 && events.fetched() >= 2);

        String rival = unique("rival");
        List<LockedJob> taken = new CopyOnWriteArrayList<>();
        await("another worker gets the queued job once its lock ran out").atMost(PATIENCE)
            .pollInterval(Duration.ofMillis(100)).until(() -> {
              for (LockedJob j : fetch(rival, topic, 2, Duration.ofSeconds(30))) {
                client.complete(j, rival, Map.of("by", "rival"), Map.of());
                taken.add(j);
              }
              return taken.stream().anyMatch(j -> !j.id().equals(first.get()));
            });
        LockedJob queued = taken.stream().filter(j -> !j.id().equals(first.get())).findFirst().orElseThrow();
        Instant takenAt = Instant.now();
        proceed.countDown();

        // The worker now finds the queued job's lock gone: it reports it, or (the defect) runs it.
        await("the worker reports the queued job's lost lock or runs it").atMost(PATIENCE)
            .until(() -> events.count(WorkerEvent.Type.LOCK_LOST, queued.id()) > 0
                || runs.stream().anyMatch(r -> r.jobId().equals(queued.id())));
        worker.close(); // nothing runs after close(): what follows is final
        String seen = "queued job " + queued.id() + " taken by another worker at " + takenAt
            + "; runs here: " + runs + "; events: " + events.summary();
        measured("lock-expired-in-queue", "%s", runs.stream().map(r -> r.jobId()
            + (r.jobId().equals(queued.id()) ? " (queued)" : " (first)") + " started "
            + Duration.between(r.lockExpiresAt(), r.started()).toMillis() + " ms after its lock expiry")
            .collect(java.util.stream.Collectors.joining(", ")) + "; events: " + events.summary());
        assertThat(runs).as("handler runs that started after their job's lock had expired (%s)", seen)
            .allSatisfy(r -> assertThat(r.started()).isBefore(r.lockExpiresAt()));
        assertThat(runs).as("handler runs of the queued job in this worker (%s)", seen)
            .noneMatch(r -> r.jobId().equals(queued.id()));
        assertThat(events.count(WorkerEvent.Type.LOCK_LOST, queued.id())).as("LOCK_LOST of the queued job (%s)", seen)
            .isGreaterThanOrEqualTo(1);
        assertThat(events.count(WorkerEvent.Type.COMPLETED, queued.id())).as(seen).isZero();
        awaitCompleted(instances);
        assertThat(fixture.processVariables(queued.processInstanceId())).containsEntry("by", "rival");
      } finally {
        proceed.countDown();
        oneThread.shutdownNow();
      }
    }

    @Test
    @DisplayName("close() with the engine unreachable returns within drainTimeout plus one request timeout, and every job it held is done later by another worker")
    void closeWithEngineUnreachable() throws Exception {
      Duration requestTimeout = Duration.ofSeconds(3);
      Duration drainTimeout = Duration.ofSeconds(2);
      Duration bound = drainTimeout.plusSeconds(6);
      Optional<EngineFixture.Severable> severable = fixture.severableEngine(requestTimeout);
      assumeTrue(severable.isPresent(), () -> engine.id() + ": the fixture cannot cut a worker off the engine");
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      List<String> instances = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        instances.add(start(p, Map.of(), null));
      }
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      TimedEvents events = new TimedEvents();
      ExecutorService oneThread = Executors.newSingleThreadExecutor();
      Duration took;
      try (EngineFixture.Severable cutOff = severable.get()) {
        // Four slots, one thread: one job runs (until interrupted), three wait unstarted.
        JobWorker worker = openWorker(cutOff.engine(), topic, job -> {
          running.countDown();
          never.await(); // only close() ends it, by interrupting
          return JobResult.complete();
        }, SubscriptionOptions.builder().maxConcurrentJobs(4).executor(oneThread)
            .lockDuration(Duration.ofSeconds(10)).longPollTimeout(Duration.ofSeconds(2)).build(),
            events, drainTimeout);
        await("the worker holds the four jobs, one running").atMost(PATIENCE)
            .until(() -> running.getCount() == 0 && events.fetched() >= 4);
        cutOff.cut();
        long closing = System.nanoTime();
        CompletableFuture<Void> closed = CompletableFuture.runAsync(worker::close);
        try {
          closed.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          throw new AssertionError("close() with the engine unreachable has not returned after 60 s; events: "
              + events.summary());
        }
        took = Duration.ofNanos(System.nanoTime() - closing);
        measured("close-unreachable", "close() took %d ms (drainTimeout %d ms, request timeout %d ms); events: %s",
            took.toMillis(), drainTimeout.toMillis(), requestTimeout.toMillis(), events.summary());
        assertThat(took).as("close() with the engine unreachable (drainTimeout %d ms, request timeout %d ms);"
            + " events:%n%s", drainTimeout.toMillis(), requestTimeout.toMillis(), events.timeline(closing))
            .isLessThanOrEqualTo(bound);
        cutOff.heal();
      } finally {
        never.countDown();
        oneThread.shutdownNow();
      }
      // Nothing lost: released jobs are offered at once, the others when their 10 s locks expire.
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      TimedEvents fresh = new TimedEvents();
      openWorker(engine, topic, job -> {
        runs.computeIfAbsent(job.processInstanceId(), k -> new AtomicInteger()).incrementAndGet();
        return JobResult.complete();
      }, SubscriptionOptions.builder().longPollTimeout(Duration.ofSeconds(2)).build(), fresh,
          Duration.ofSeconds(20));
      awaitCompleted(instances);
      assertThat(events.count(WorkerEvent.Type.COMPLETED)).as("completions by the cut-off worker").isZero();
      assertThat(runs).as("runs by the fresh worker, per instance").containsOnlyKeys(instances);
      assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
    }

    @Test
    @DisplayName("an authentication failure on complete followed by recovery ends COMPLETED, not FAILED, and the handler runs once")
    void authFailureOnCompleteIsRetried() {
      int refusals = 2;
      AtomicBoolean refusing = new AtomicBoolean();
      AtomicInteger refused = new AtomicInteger();
      AtomicLong lastAsked = new AtomicLong(System.nanoTime());
      Supplier<String> tokens = () -> {
        try {
          if (refusing.get()) {
            if (refused.incrementAndGet() >= refusals) {
              refusing.set(false);
            }
            throw new IllegalStateException("token service unavailable (injected)");
          }
          return "kit-token";
        } finally {
          lastAsked.set(System.nanoTime());
        }
      };
      Optional<Engine> authenticated = fixture.engineWithAuth(tokens);
      assumeTrue(authenticated.isPresent(), () -> engine.id() + ": the fixture has no engine with token authentication");
      String topic = unique("t");
      String instance = startSimple(topic);
      Duration lifetime = fixture.tokenLifetime();
      List<String> retriesSeen = new CopyOnWriteArrayList<>();
      TimedEvents events = new TimedEvents();
      try (Engine authed = authenticated.get()) {
        // One slot: while the job is held nothing polls, so the refused token requests are the report's.
        JobWorker worker = openWorker(authed, topic, job -> {
          retriesSeen.add(String.valueOf(job.retries()));
          if (retriesSeen.size() == 1) {
            // Where tokens are cached, let this one go stale so that the report asks for a new one.
            await().atMost(lifetime.plusSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> System.nanoTime() - lastAsked.get() > lifetime.toNanos());
            refusing.set(true);
          }
          return JobResult.complete(Map.of("done", true));
        // A 10 s lock: a job the engine pushes while the stream pauses can come back only after its
      // timeout (an open defect on Zeebe, see RELIABILITY.md); it must still run exactly once.
      }, SubscriptionOptions.builder().maxConcurrentJobs(1).lockDuration(Duration.ofSeconds(10))
          .longPollTimeout(Duration.ofSeconds(2)).build(),
            events, Duration.ofSeconds(20));
        await("the result's report ended").atMost(PATIENCE).until(() -> events.count(WorkerEvent.Type.COMPLETED)
            + events.count(WorkerEvent.Type.FAILED) + events.count(WorkerEvent.Type.REPORT_FAILED) > 0);
        String seen = "token requests refused: " + refused.get() + "; events: " + events.summary();
        measured("auth-failure-on-complete", "%s", seen);
        assertThat(refused.get()).as("token requests refused while the result was reported: none means the"
            + " engine still held a fresh token, i.e. the fixture's tokenLifetime() is too short (%s)", seen)
            .isPositive();
        assertThat(events.count(WorkerEvent.Type.FAILED)).as("FAILED events (%s)", seen).isZero();
        assertThat(events.count(WorkerEvent.Type.REPORT_FAILED)).as("REPORT_FAILED events (%s)", seen).isZero();
        assertThat(events.count(WorkerEvent.Type.COMPLETED)).as("COMPLETED events (%s)", seen).isEqualTo(1);
        assertThat(events.count(WorkerEvent.Type.REPORT_RETRIED)).as("REPORT_RETRIED events (%s)", seen)
            .isGreaterThanOrEqualTo(1);
        awaitCompleted(List.of(instance));
        assertThat(fixture.processVariables(instance)).containsEntry("done", true);
        assertThat(retriesSeen).as("handler runs, by the retries they saw: once, so no retry was used (%s)", seen)
            .hasSize(1);
        worker.close();
      }
    }

    @Test
    @DisplayName("a job failed with a 1 s retry backoff is running again within 1.5 s (plus the engine's own lock reset period)")
    void retryBackoffIsHonoured() {
      String topic = unique("t");
      startSimple(topic);
      AtomicInteger attempts = new AtomicInteger();
      TimedEvents events = new TimedEvents();
      // Default slots and long-poll timeout: on Camunda a long poll is open while the backoff runs.
      openWorker(engine, topic, job -> {
        if (attempts.incrementAndGet() == 1) {
          throw new IllegalStateException("the first attempt fails (injected)");
        }
        return JobResult.complete();
      }, SubscriptionOptions.builder().retryBackoff(Duration.ofSeconds(1)).build(), events,
          Duration.ofSeconds(20));
      await("the second attempt").atMost(PATIENCE).until(() -> events.count(WorkerEvent.Type.STARTED) >= 2);
      long failedAt = events.nth(WorkerEvent.Type.FAILED, 1).orElseThrow().nanos();
      long again = events.nth(WorkerEvent.Type.STARTED, 2).orElseThrow().nanos();
      Duration gap = Duration.ofNanos(again - failedAt);
      Duration bound = Duration.ofMillis(1_500).plus(fixture.lockResetPeriod());
      measured("retry-backoff", "second attempt %d ms after FAILED (backoff 1 s, bound %d ms)",
          gap.toMillis(), bound.toMillis());
      assertThat(gap).as("from FAILED to the second STARTED, retry backoff 1 s, bound %d ms; events:%n%s",
          bound.toMillis(), events.timeline(failedAt)).isLessThanOrEqualTo(bound);
      assertThat(gap).as("the backoff itself was kept").isGreaterThanOrEqualTo(Duration.ofMillis(800));
    }
  }

  @Nested
  @DisplayName("process client")
  class ProcessClientContracts {

    private ProcessClient processes() {
      return engine.processClient();
    }

    @Test
    @DisplayName("deploy returns the definitions with key, id and a version that counts up")
    void deployReturnsDefinitions() {
      TestProcess p = simple(unique("t"));
      List<DeployedDefinition> first = processes().deploy(DeploymentResource.of(p.resourceName(),
          p.toXml(fixture.dialect())));
      // A changed model: engines may skip redeploying identical content (Zeebe does).
      TestProcess changed = TestProcess.named(p.id()).task("task", unique("t2"));
      List<DeployedDefinition> second = processes().deploy(DeploymentResource.of(p.resourceName(),
          changed.toXml(fixture.dialect())));
      assertThat(first).singleElement().satisfies(d -> {
        assertThat(d.key()).isEqualTo(p.id());
        assertThat(d.id()).isNotBlank();
        assertThat(d.version()).isEqualTo(1);
      });
      assertThat(second).singleElement().satisfies(d -> assertThat(d.version()).isEqualTo(2));
    }

    @Test
    @DisplayName("an invalid definition raises InvalidDefinition with the engine's parse message")
    void invalidDefinition() {
      String broken = "<?xml version=\"1.0\"?><definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\""
          + " targetNamespace=\"x\"><process id=\"broken\" isExecutable=\"true\">"
          + "<startEvent id=\"s\"/><sequenceFlow id=\"f\" sourceRef=\"s\" targetRef=\"nowhere\"/>"
          + "</process></definitions>";
      assertThatThrownBy(() -> processes().deploy(DeploymentResource.of("broken.bpmn", broken)))
          .isInstanceOf(InvalidDefinitionException.class)
          .satisfies(e -> assertThat(((PolyworkerException) e).detail()).isNotBlank())
          .hasMessageContaining(engine.id());
    }

    @Test
    @DisplayName("starting an unknown process raises NotFound")
    void startUnknownProcess() {
      assertThatThrownBy(() -> processes().startProcess(unique("missing"), Map.of()))
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining(engine.id());
    }

    @Test
    @DisplayName("a version can be started explicitly")
    void startVersion() {
      String id = unique("p");
      String topicV1 = unique("v1");
      String topicV2 = unique("v2");
      deploy(TestProcess.named(id).task("task", topicV1));
      deploy(TestProcess.named(id).task("task", topicV2));
      String instance = processes().startProcess(StartProcess.of(id).withVersion(1));
      LockedJob job = fetchOne(unique("w"), topicV1, Duration.ofSeconds(30));
      assertThat(job.processInstanceId()).isEqualTo(instance);
      assertThatThrownBy(() -> processes().startProcess(StartProcess.of(id).withVersion(7)))
          .isInstanceOf(NotFoundException.class);
    }

    @Test
    @DisplayName("a process without a none start event is refused with a clear error, or started through its message start event where the engine does that")
    void noNoneStartEvent() {
      String topic = unique("t");
      TestProcess p = TestProcess.named(unique("p")).startOnMessage(unique("go")).task("task", topic);
      deploy(p);
      if (engine.capabilities().has(Capability.START_NEEDS_NONE_START_EVENT)) {
        assertThatThrownBy(() -> processes().startProcess(p.id(), Map.of()))
            .isInstanceOf(PolyworkerException.class)
            .isNotInstanceOf(EngineUnavailableException.class)
            .hasMessageContaining(engine.id());
      } else {
        String instance = processes().startProcess(p.id(), Map.of());
        assertThat(fetchOne(unique("w"), topic, Duration.ofSeconds(30)).processInstanceId()).isEqualTo(instance);
      }
    }

    @Test
    @DisplayName("start and await returns the end-state variables")
    void startAndAwait() {
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      startWorker(topic, job -> JobResult.complete(Map.of("doubled",
          job.variables().get("n", Integer.class) * 2)), SubscriptionOptions.defaults(),
          new CopyOnWriteArrayList<>());
      ProcessResult result = processes().startProcessAndAwait(StartProcess.of(p.id())
          .withVariables(Map.of("n", 21)), PATIENCE);
      assertThat(result.processInstanceId()).isNotBlank();
      assertThat(result.variables()).containsEntry("doubled", 42).containsEntry("n", 21);
      ProcessResult only = processes().startProcessAndAwait(StartProcess.of(p.id())
          .withVariables(Map.of("n", 1)).withFetchVariables(List.of("doubled")), PATIENCE);
      assertThat(only.variables()).containsOnlyKeys("doubled");
    }

    @Test
    @DisplayName("start and await times out with the id of the instance, which keeps running")
    void startAndAwaitTimesOut() {
      TestProcess p = simple(unique("t"));
      deploy(p);
      long started = System.nanoTime();
      ProcessAwaitTimeoutException e = catchThrowableOfType(ProcessAwaitTimeoutException.class,
          () -> processes().startProcessAndAwait(StartProcess.of(p.id()), Duration.ofSeconds(2)));
      assertThat(e).isNotNull();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
      assertThat(e).hasMessageContaining(engine.id());
      if (engine.capabilities().has(Capability.AWAIT_FAILS_FAST)) {
        // Engines that follow the instance themselves name it, and it keeps running.
        assertThat(e.processInstanceId()).isNotBlank();
        assertThat(fixture.instanceState(e.processInstanceId())).isEqualTo(InstanceState.ACTIVE);
      }
    }

    @Test
    @DisplayName("start and await fails fast when the instance raises an incident")
    void startAndAwaitIncident() {
      require(Capability.AWAIT_FAILS_FAST);
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      startWorker(topic, job -> JobResult.fail("cannot", null, 0, Duration.ZERO),
          SubscriptionOptions.defaults(), new CopyOnWriteArrayList<>());
      long started = System.nanoTime();
      assertThatThrownBy(() -> processes().startProcessAndAwait(StartProcess.of(p.id()), Duration.ofMinutes(2)))
          .isInstanceOf(ProcessInstanceFailedException.class)
          .hasMessageContaining("incident");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PATIENCE);
    }

    @Test
    @DisplayName("start and await fails fast when the instance is cancelled")
    void startAndAwaitCancelled() throws Exception {
      require(Capability.AWAIT_FAILS_FAST);
      String topic = unique("t");
      TestProcess p = simple(topic);
      deploy(p);
      ExecutorService canceller = Executors.newSingleThreadExecutor();
      try {
        canceller.submit(() -> {
          LockedJob job = fetchOne(unique("w"), topic, Duration.ofSeconds(30));
          processes().cancelProcessInstance(job.processInstanceId());
          return null;
        });
        assertThatThrownBy(() -> processes().startProcessAndAwait(StartProcess.of(p.id()), Duration.ofMinutes(2)))
            .isInstanceOf(ProcessInstanceFailedException.class)
            .hasMessageContaining("cancel");
      } finally {
        canceller.shutdownNow();
      }
    }

    private TestProcess waiting(String message, String topic) {
      return TestProcess.named(unique("p")).waitForMessage("wait", message, "orderId").task("task", topic);
    }

    @Test
    @DisplayName("a message reaches the instance waiting with that correlation key, with its variables")
    void publishCorrelates() {
      String message = unique("paid");
      String topic = unique("t");
      TestProcess p = waiting(message, topic);
      deploy(p);
      String key = unique("order");
      String other = start(p, Map.of("orderId", unique("order")), unique("bk"));
      String instance = start(p, Map.of("orderId", key), key);
      awaitPublished(PublishMessage.of(message, key).withVariables(Map.of("amount", 12))
          .withCorrelationVariable("orderId"));
      LockedJob job = fetchOne(unique("w"), topic, Duration.ofSeconds(30));
      assertThat(job.processInstanceId()).isEqualTo(instance).isNotEqualTo(other);
      assertThat(job.variables()).containsEntry("amount", 12);
    }

    @Test
    @DisplayName("a message correlates by business key where the engine has business keys")
    void publishCorrelatesByBusinessKey() {
      require(Capability.BUSINESS_KEYS);
      String message = unique("paid");
      String topic = unique("t");
      TestProcess p = waiting(message, topic);
      deploy(p);
      String key = unique("order");
      String instance = start(p, Map.of("orderId", key), key);
      awaitPublished(PublishMessage.of(message, key));
      assertThat(fetchOne(unique("w"), topic, Duration.ofSeconds(30)).processInstanceId()).isEqualTo(instance);
    }

    /** The instance reaches its catch event asynchronously on some engines: publish once it waits. */
    private void awaitPublished(PublishMessage message) {
      await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).ignoreException(NotFoundException.class)
          .until(() -> {
            processes().publishMessage(message.withTimeToLive(Duration.ZERO));
            return true;
          });
    }

    @Test
    @DisplayName("a message with no subscriber and no time to live is not delivered later")
    void publishWithoutSubscriber() {
      String message = unique("nobody");
      String topic = unique("t");
      TestProcess p = waiting(message, topic);
      deploy(p);
      String key = unique("order");
      if (engine.capabilities().has(Capability.MESSAGE_BUFFERING)) {
        processes().publishMessage(PublishMessage.of(message, key));
      } else {
        assertThatThrownBy(() -> processes().publishMessage(PublishMessage.of(message, key)))
            .isInstanceOf(NotFoundException.class).hasMessageContaining(engine.id());
      }
      start(p, Map.of("orderId", key), key);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
          .until(() -> fetch(unique("w"), topic, 1, Duration.ofSeconds(30)).isEmpty());
    }

    @Test
    @DisplayName("a message with a time to live reaches an instance that starts waiting later")
    void publishWithTimeToLive() {
      String message = unique("later");
      String topic = unique("t");
      TestProcess p = waiting(message, topic);
      deploy(p);
      String key = unique("order");
      processes().publishMessage(PublishMessage.of(message, key).withTimeToLive(Duration.ofSeconds(30))
          .withCorrelationVariable("orderId"));
      String instance = start(p, Map.of("orderId", key), key);
      assertThat(fetchOne(unique("w"), topic, Duration.ofSeconds(30)).processInstanceId()).isEqualTo(instance);
    }

    @Test
    @DisplayName("a second message with the same id while the first lives is rejected")
    void duplicateMessageId() {
      String message = unique("dup");
      PublishMessage m = PublishMessage.of(message, unique("k")).withTimeToLive(Duration.ofSeconds(30))
          .withMessageId(unique("id"));
      processes().publishMessage(m);
      assertThatThrownBy(() -> processes().publishMessage(m))
          .isInstanceOf(MessageAlreadyExistsException.class).hasMessageContaining(engine.id());
    }

    @Test
    @DisplayName("a message starts an instance at a message start event")
    void messageStartEvent() {
      String message = unique("go");
      String topic = unique("t");
      TestProcess p = TestProcess.named(unique("p")).startOnMessage(message).task("task", topic);
      deploy(p);
      processes().publishMessage(PublishMessage.of(message, unique("k")).withVariables(Map.of("x", 1)));
      LockedJob job = fetchOne(unique("w"), topic, Duration.ofSeconds(30));
      assertThat(job.variables()).containsEntry("x", 1);
    }

    @Test
    @DisplayName("cancel ends a running instance; unknown or ended instances raise NotFound")
    void cancel() {
      TestProcess p = simple(unique("t"));
      deploy(p);
      String instance = start(p, Map.of(), null);
      processes().cancelProcessInstance(instance);
      await().atMost(PATIENCE).until(() -> fixture.instanceState(instance) == InstanceState.TERMINATED);
      assertThatThrownBy(() -> processes().cancelProcessInstance(instance))
          .isInstanceOf(NotFoundException.class).hasMessageContaining(engine.id());
      assertThatThrownBy(() -> processes().cancelProcessInstance(fixture.unknownInstanceId()))
          .isInstanceOf(NotFoundException.class);
    }
  }

  @Nested
  @DisplayName("malformed engine answers")
  class MalformedAnswers {

    private void withFakeEngine(String body, java.util.function.Consumer<EngineClient> test) throws Exception {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", exchange -> {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
      });
      server.start();
      try {
        Optional<Engine> fake = fixture.engineAt(URI.create("http://127.0.0.1:"
            + server.getAddress().getPort()));
        assumeTrue(fake.isPresent(), engine.id() + " does not speak HTTP; malformed answers are covered by its module tests");
        try (Engine e = fake.get()) {
          test.accept(e.jobClient());
        }
      } finally {
        server.stop(0);
      }
    }

    private void assertFetchFails(String body, String messagePart) throws Exception {
      withFakeEngine(body, c -> assertThatThrownBy(() -> fetch(FetchRequest.of("w", "t", 1,
          Duration.ofSeconds(10))))
          .isInstanceOf(MalformedAnswerException.class)
          .hasMessageContaining(engine.id())
          .hasMessageContaining(messagePart));
    }

    private List<LockedJob> fetchFrom(EngineClient c) {
      try {
        return c.fetchAndLock(FetchRequest.of("w", "t", 1, Duration.ofSeconds(10))).get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw (RuntimeException) e.getCause();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Test
    @DisplayName("a body that is not JSON gives a clear exception")
    void notJson() throws Exception {
      withFakeEngine("<html>gateway error</html>", c -> assertThatThrownBy(() -> fetchFrom(c))
          .isInstanceOf(MalformedAnswerException.class)
          .hasMessageContaining(engine.id())
          .satisfies(e -> assertThat(((PolyworkerException) e).answerExcerpt()).contains("gateway error")));
    }

    @Test
    @DisplayName("truncated JSON gives a clear exception")
    void truncatedJson() throws Exception {
      withFakeEngine("[{\"id\":\"1\",\"topicName\":", c -> assertThatThrownBy(() -> fetchFrom(c))
          .isInstanceOf(MalformedAnswerException.class));
    }

    @Test
    @DisplayName("a job without its required fields gives a clear exception, not an NPE")
    void missingFields() throws Exception {
      withFakeEngine("[{}]", c -> assertThatThrownBy(() -> fetchFrom(c))
          .isInstanceOf(MalformedAnswerException.class)
          .hasMessageContaining("missing"));
    }

    @Test
    @DisplayName("an answer of the wrong shape gives a clear exception")
    void wrongShape() throws Exception {
      withFakeEngine("{\"unexpected\":true}", c -> assertThatThrownBy(() -> fetchFrom(c))
          .isInstanceOf(MalformedAnswerException.class));
    }
  }

}
