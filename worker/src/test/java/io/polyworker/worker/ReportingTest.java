package io.polyworker.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.AuthenticationException;
import io.polyworker.BpmnError;
import io.polyworker.JobLockLostException;
import io.polyworker.JobResult;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ResultRejectedException;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.memory.InMemoryEngine;
import io.polyworker.testkit.memory.InMemoryEngine.Operation;
import io.polyworker.testkit.memory.InMemoryJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import io.polyworker.engine.Engine;
import io.polyworker.spi.EngineClient;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/** Results reach the engine once; failures become the right engine calls and events. */
class ReportingTest extends RuntimeTestSupport {

  private InMemoryJob onlyJob(String instance) {
    return engine.jobs().stream().filter(j -> j.processInstanceId().equals(instance)).findFirst().orElseThrow();
  }

  /** What runs before each call of the worker to the engine's job client, by method name. */
  private interface BeforeCall {
    void before(String method) throws Exception;
  }

  /** The test's engine, with {@code before} run ahead of each job client call. */
  private Engine withJobCalls(BeforeCall before) {
    EngineClient real = engine.jobClient();
    EngineClient wrapped = (EngineClient) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {EngineClient.class}, (proxy, method, args) -> {
          before.before(method.getName());
          return invoke(method, real, args);
        });
    return (Engine) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Engine.class},
        (proxy, method, args) -> method.getName().equals("jobClient") ? wrapped : invoke(method, engine, args));
  }

  /** The engine, with every complete call waiting at {@code gate} (counted in {@code waiting}) first. */
  private Engine withGatedCompletes(CountDownLatch gate, AtomicInteger waiting) {
    return withJobCalls(method -> {
      if (method.equals("complete")) {
        waiting.incrementAndGet();
        gate.await();
      }
    });
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void aHandlerThatReturnedGivesItsSlotToTheNextJobWhileItsResultIsReported() {
    String topic = unique("t");
    String key = deploy(topic);
    for (int i = 0; i < 8; i++) {
      start(key);
    }
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger completesWaiting = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    JobWorker worker = JobWorker.builder(withGatedCompletes(gate, completesWaiting))
        .options(workerOptions().build())
        .subscribe(topic, job -> {
          started.incrementAndGet();
          peak.accumulateAndGet(running.incrementAndGet(), Math::max);
          running.decrementAndGet();
          return JobResult.complete();
        }, SubscriptionOptions.builder().maxConcurrentJobs(2).build())
        .build().start();
    try {
      // Two reports go on without their slots, whose next two jobs then report holding them: four
      // handlers ran while the engine has answered no complete, and no fifth starts.
      await().atMost(PATIENCE).until(() -> started.get() == 4 && completesWaiting.get() == 4);
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> started.get() == 4);
      assertThat(worker.subscriptions().get(0).jobsHeld()).as("jobs holding a slot").isEqualTo(2);
      gate.countDown();
      awaitEvents(WorkerEvent.Type.COMPLETED, 8);
      assertThat(peak.get()).as("handlers running at once").isLessThanOrEqualTo(2);
      assertThat(engine.calls(Operation.COMPLETE)).isEqualTo(8);
    } finally {
      gate.countDown();
      worker.close();
    }
  }

  @Test
  void aRetryBackoffEndsInTimeWhenTheFailedJobsSlotWentToALongPollBeforeTheFailureWasReported() {
    engine.close();
    // Like Camunda: an open long poll is answered when a job is created or unlocked, not when a
    // retry backoff ends.
    engine = InMemoryEngine.builder().longPolling(true).build();
    String topic = unique("t");
    String instance = start(deploy(topic));
    AtomicInteger attempts = new AtomicInteger();
    List<long[]> timeline = new CopyOnWriteArrayList<>(); // {type ordinal, nanoTime}
    // One slot: when the handler returns it goes to a 10 s long poll at once, while the failure is
    // still on its way (the engine takes 300 ms to answer it), so the fetch due when the 1 s backoff
    // ends finds no free slot; only a long poll that does not outlast the backoff takes the job in time.
    Engine slowFails = withJobCalls(method -> {
      if (method.equals("fail")) {
        Thread.sleep(300); // the engine's latency, not a synchronisation
      }
    });
    JobWorker worker = JobWorker.builder(slowFails)
        .options(workerOptions().listener(e -> timeline.add(new long[] {e.type().ordinal(), System.nanoTime()})).build())
        .subscribe(topic, job -> {
          if (attempts.incrementAndGet() == 1) {
            throw new IllegalStateException("first attempt fails");
          }
          return JobResult.complete();
        }, SubscriptionOptions.builder().maxConcurrentJobs(1).retryBackoff(Duration.ofSeconds(1))
            .longPollTimeout(Duration.ofSeconds(10)).build())
        .build().start();
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
    } finally {
      worker.close();
    }
    long failedAt = timeline.stream().filter(t -> t[0] == WorkerEvent.Type.FAILED.ordinal()).findFirst().orElseThrow()[1];
    List<long[]> started = timeline.stream().filter(t -> t[0] == WorkerEvent.Type.STARTED.ordinal()).toList();
    assertThat(started).hasSize(2);
    long againMillis = (started.get(1)[1] - failedAt) / 1_000_000;
    assertThat(againMillis).as("from the engine's answer to the failure to the retry (backoff 1 s)")
        .isBetween(900L, 1_600L);
  }

  @Test
  void closeWaitsForReportsThatWentOnWithoutTheirSlots() throws Exception {
    String topic = unique("t");
    String key = deploy(topic);
    start(key);
    start(key);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger completesWaiting = new AtomicInteger();
    JobWorker worker = JobWorker.builder(withGatedCompletes(gate, completesWaiting))
        .options(workerOptions().build())
        .subscribe(topic, job -> JobResult.complete(), SubscriptionOptions.builder().maxConcurrentJobs(2).build())
        .build().start();
    // Both results are being reported without their slots: no slot is held any more.
    await().atMost(PATIENCE).until(() -> completesWaiting.get() == 2);
    assertThat(worker.subscriptions().get(0).jobsHeld()).as("jobs holding a slot").isZero();
    CountDownLatch closed = new CountDownLatch(1);
    AtomicReference<Throwable> closeError = new AtomicReference<>();
    Thread closer = new Thread(() -> {
      try {
        worker.close();
      } catch (Throwable t) {
        closeError.set(t);
      } finally {
        closed.countDown();
      }
    });
    closer.start();
    // Within the drain timeout (5 s), close() waits for every report, those without a slot too.
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> closed.getCount() == 1);
    gate.countDown();
    await().atMost(PATIENCE).until(() -> closed.getCount() == 0);
    assertThat(closeError.get()).isNull();
    assertThat(count(WorkerEvent.Type.COMPLETED)).as("COMPLETED events when close() returned").isEqualTo(2);
    assertThat(count(WorkerEvent.Type.REPORT_FAILED)).isZero();
  }

  @Test
  void transientReportErrorsAreRetriedUntilTheEngineTakesTheResult() {
    String topic = unique("t");
    String instance = start(deploy(topic));
    engine.failNext(Operation.COMPLETE, 2, () -> InMemoryEngine.unavailable(Operation.COMPLETE));
    startWorker(topic, job -> JobResult.complete(Map.of("done", true)), SubscriptionOptions.defaults());
    await().atMost(PATIENCE).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
    awaitEvents(WorkerEvent.Type.COMPLETED, 1);
    assertThat(engine.calls(Operation.COMPLETE)).isEqualTo(3);
    assertThat(count(WorkerEvent.Type.REPORT_RETRIED)).isEqualTo(2);
    assertThat(count(WorkerEvent.Type.COMPLETED)).isEqualTo(1);
    assertThat(count(WorkerEvent.Type.ALREADY_COMPLETED)).isZero();
    assertThat(engine.processVariables(instance)).containsEntry("done", true);
  }

  @Test
  void permanentReportErrorsAreNotRetriedAndTheWorkerGoesOn() {
    String topic = unique("t");
    String key = deploy(topic);
    String first = start(key);
    engine.failNext(Operation.COMPLETE, 1, () -> new ResultRejectedException(InMemoryEngine.ID, "complete",
        400, "{\"type\":\"BadUserRequest\"}", "bad request", null));
    startWorker(topic, job -> JobResult.complete(), SubscriptionOptions.defaults());
    // A result the engine refuses for good is not retried; the job is failed with the reason
    // instead, so that it surfaces as a failure rather than running again after every lock expiry.
    awaitEvents(WorkerEvent.Type.FAILED, 1);
    assertThat(eventsOf(WorkerEvent.Type.FAILED).get(0).error()).hasMessageContaining("bad request");
    assertThat(engine.calls(Operation.COMPLETE)).isEqualTo(1);
    assertThat(count(WorkerEvent.Type.REPORT_RETRIED)).isZero();
    assertThat(engine.instanceState(first)).isEqualTo(InstanceState.ACTIVE);
    String second = start(key);
    await().atMost(PATIENCE).until(() -> engine.instanceState(second) == InstanceState.COMPLETED);
  }

  @Test
  void authAndUnknownErrorsOnReportAreRetriedNotTurnedIntoFailures() {
    String topic = unique("t");
    String instance = start(deploy(topic));
    // A token endpoint that is down, an error of unknown kind (gRPC UNKNOWN, a 4xx nobody expected)
    // and an interrupt-shaped one: none says the result is wrong, so none may cost the job a retry.
    AtomicInteger n = new AtomicInteger();
    engine.failNext(Operation.COMPLETE, 3, () -> switch (n.getAndIncrement()) {
      case 0 -> new AuthenticationException(InMemoryEngine.ID, "complete", 503, null,
          "token endpoint answered 503", null);
      case 1 -> new PolyworkerException(InMemoryEngine.ID, "complete", 2, null, "gRPC UNKNOWN", null);
      default -> new PolyworkerException(InMemoryEngine.ID, "complete", -1, null,
          "interrupted while waiting for the answer", null);
    });
    startWorker(topic, job -> JobResult.complete(Map.of("done", true)), SubscriptionOptions.defaults());
    await().atMost(PATIENCE).until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
    awaitEvents(WorkerEvent.Type.COMPLETED, 1);
    assertThat(count(WorkerEvent.Type.FAILED)).isZero();
    assertThat(count(WorkerEvent.Type.REPORT_RETRIED)).isEqualTo(3);
    assertThat(engine.calls(Operation.FAIL)).isZero();
  }

  @Test
  void lockLostOnReportBecomesLockLostEvent() {
    String topic = unique("t");
    start(deploy(topic));
    engine.failNext(Operation.COMPLETE, 1, () -> new JobLockLostException(InMemoryEngine.ID, "complete", 400,
        null, "locked by another worker", null));
    startWorker(topic, job -> JobResult.complete(), SubscriptionOptions.defaults());
    awaitEvents(WorkerEvent.Type.LOCK_LOST, 1);
    assertThat(eventsOf(WorkerEvent.Type.LOCK_LOST).get(0).error()).isInstanceOf(JobLockLostException.class);
    assertThat(engine.calls(Operation.COMPLETE)).isEqualTo(1);
    assertThat(count(WorkerEvent.Type.REPORT_FAILED) + count(WorkerEvent.Type.REPORT_RETRIED)).isZero();
  }

  @Test
  void notFoundOnReportBecomesAlreadyCompletedEvent() {
    String topic = unique("t");
    start(deploy(topic));
    engine.failNext(Operation.COMPLETE, 1, () -> new NotFoundException(InMemoryEngine.ID, "complete", 404,
        null, "no such task", null));
    startWorker(topic, job -> JobResult.complete(), SubscriptionOptions.defaults());
    awaitEvents(WorkerEvent.Type.ALREADY_COMPLETED, 1);
    assertThat(engine.calls(Operation.COMPLETE)).isEqualTo(1);
    assertThat(count(WorkerEvent.Type.REPORT_RETRIED)).isZero();
  }

  @Test
  void aJobGoneAfterALostAnswerIsLoggedAsMostLikelyCompletedByThisWorkersEarlierAttempt() {
    String topic = unique("t");
    start(deploy(topic));
    // The first complete reached nobody's answer (engine restart); the repeat finds the job gone.
    AtomicInteger n = new AtomicInteger();
    engine.failNext(Operation.COMPLETE, 2, () -> n.getAndIncrement() == 0
        ? InMemoryEngine.unavailable(Operation.COMPLETE)
        : new NotFoundException(InMemoryEngine.ID, "complete", 404, null, "no such task", null));
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      startWorker(topic, job -> JobResult.complete(), SubscriptionOptions.defaults());
      awaitEvents(WorkerEvent.Type.ALREADY_COMPLETED, 1);
    } finally {
      System.setErr(original);
    }
    String line = captured.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains("no longer exists in the engine")).findFirst().orElseThrow();
    assertThat(line).contains(InMemoryEngine.ID).contains(topic).contains("complete answered: no such task")
        .contains("most likely it was completed by this worker's earlier attempt, whose answer was lost")
        .contains("deleted with its process instance")
        .doesNotContain("was not completed: it no longer exists");
  }

  @Test
  void handlerExceptionFailsWithRetriesMinusOneBackoffAndStackTrace() {
    String topic = unique("t");
    String instance = start(deploy(topic));
    Instant before = Instant.now();
    startWorker(topic, job -> {
      throw new IllegalStateException("database down");
    }, SubscriptionOptions.builder().defaultRetries(4).retryBackoff(Duration.ofSeconds(30)).build());
    awaitEvents(WorkerEvent.Type.FAILED, 1);
    InMemoryJob job = onlyJob(instance);
    assertThat(job.retries()).isEqualTo(3);
    assertThat(job.errorMessage()).contains("database down");
    assertThat(job.errorDetails()).contains("java.lang.IllegalStateException: database down")
        .contains("\tat ");
    assertThat(job.availableAt()).isAfter(before.plusSeconds(29)).isBefore(Instant.now().plusSeconds(31));
    assertThat(eventsOf(WorkerEvent.Type.FAILED).get(0).error()).hasMessage("database down");
  }

  @Test
  void laterFailuresCountDownFromTheJobsRetriesToAnIncident() {
    String topic = unique("t");
    String instance = start(deploy(topic));
    AtomicInteger calls = new AtomicInteger();
    startWorker(topic, job -> {
      calls.incrementAndGet();
      throw new IllegalStateException("always");
    }, SubscriptionOptions.builder().defaultRetries(3).retryBackoff(Duration.ZERO).build());
    await().atMost(PATIENCE).until(() -> engine.hasIncident(instance));
    assertThat(calls).hasValue(3);
    assertThat(onlyJob(instance).retries()).isZero();
    assertThat(engine.instanceState(instance)).isEqualTo(InstanceState.ACTIVE);
  }

  @Test
  void nullResultFailsWithAClearMessage() {
    String topic = unique("t");
    String instance = start(deploy(topic));
    startWorker(topic, job -> null, SubscriptionOptions.builder().defaultRetries(3)
        .retryBackoff(Duration.ofSeconds(30)).build());
    awaitEvents(WorkerEvent.Type.FAILED, 1);
    InMemoryJob job = onlyJob(instance);
    assertThat(job.errorMessage()).contains("returned null").contains(topic);
    assertThat(job.retries()).isEqualTo(2);
  }

  @Test
  void thrownBpmnErrorIsRaisedAsBpmnError() {
    String topic = unique("t");
    String caught = unique("caught");
    String instance = start(deploy(TestProcess.named(unique("p")).task("task", topic)
        .catchError("task", "REJECTED", caught)));
    startWorker(topic, job -> {
      throw new BpmnError("REJECTED", "too much", Map.of("limit", 100));
    }, SubscriptionOptions.defaults());
    awaitEvents(WorkerEvent.Type.BPMN_ERROR, 1);
    assertThat(engine.calls(Operation.BPMN_ERROR)).isEqualTo(1);
    assertThat(engine.calls(Operation.FAIL)).isZero();
    assertThat(engine.jobs()).anySatisfy(j -> {
      assertThat(j.processInstanceId()).isEqualTo(instance);
      assertThat(j.elementId()).isEqualTo("onError");
      assertThat(j.topic()).isEqualTo(caught);
    });
    assertThat(engine.processVariables(instance)).containsEntry("limit", 100);
  }

  /** Jackson cannot write this: it refers to itself. */
  public static final class SelfReferencing {
    public SelfReferencing getSelf() {
      return this;
    }
  }

  @Test
  void unserializableResultVariablesFailTheJobWithTheReason() {
    String topic = unique("t");
    String instance = start(deploy(topic));
    startWorker(topic, job -> JobResult.complete(Map.of("loop", new SelfReferencing())),
        SubscriptionOptions.builder().retryBackoff(Duration.ofSeconds(30)).build());
    awaitEvents(WorkerEvent.Type.FAILED, 1);
    InMemoryJob job = onlyJob(instance);
    assertThat(job.state()).isEqualTo(InMemoryJob.State.ACTIVE);
    assertThat(job.errorMessage()).contains("result could not be sent").contains("'loop'");
    assertThat(engine.instanceState(instance)).isEqualTo(InstanceState.ACTIVE);
    assertThat(engine.processVariables(instance)).doesNotContainKey("loop");
  }

  @Test
  void aThrowingListenerDoesNotBreakTheWorker() {
    String topic = unique("t");
    String key = deploy(topic);
    AtomicInteger seen = new AtomicInteger();
    startWorker(topic, job -> JobResult.complete(), SubscriptionOptions.defaults(),
        workerOptions().listener(e -> {
          seen.incrementAndGet();
          throw new IllegalStateException("listener bug");
        }).build());
    String a = start(key);
    String b = start(key);
    await().atMost(PATIENCE).until(() -> engine.instanceState(a) == InstanceState.COMPLETED
        && engine.instanceState(b) == InstanceState.COMPLETED);
    assertThat(seen.get()).isGreaterThanOrEqualTo(4);
  }
}
