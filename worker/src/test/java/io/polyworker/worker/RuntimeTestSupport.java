package io.polyworker.worker;

import static org.awaitility.Awaitility.await;

import io.polyworker.DeploymentResource;
import io.polyworker.JobHandler;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerOptions;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.memory.InMemoryEngine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/** An in-memory engine per test, workers closed after it, and small helpers. */
abstract class RuntimeTestSupport {
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  protected static final Duration PATIENCE = Duration.ofSeconds(10);

  protected InMemoryEngine engine = InMemoryEngine.create();
  protected final List<WorkerEvent> events = new CopyOnWriteArrayList<>();
  private final List<JobWorker> workers = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() {
    closeWorkers();
    engine.close();
  }

  /** Closes every worker the test started (close() waits for their reports). */
  protected void closeWorkers() {
    workers.forEach(JobWorker::close);
  }

  protected static String unique(String prefix) {
    return prefix + "_" + SEQUENCE.incrementAndGet();
  }

  /** Deploys a one-task process for the topic and returns its key. */
  protected String deploy(String topic) {
    return deploy(TestProcess.named(unique("p")).task("task", topic));
  }

  protected String deploy(TestProcess p) {
    engine.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(Dialect.CAMUNDA)));
    return p.id();
  }

  protected String start(String processKey) {
    return engine.processClient().startProcess(processKey, Map.of());
  }

  /** Fast backoffs so that tests do not wait on defaults. */
  protected WorkerOptions.Builder workerOptions() {
    return WorkerOptions.builder()
        .workerId(unique("worker"))
        .emptyPollBackoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .pollErrorBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
        .drainTimeout(Duration.ofSeconds(5))
        .listener(events::add);
  }

  protected JobWorker startWorker(String topic, JobHandler handler, SubscriptionOptions options) {
    return startWorker(topic, handler, options, workerOptions().build());
  }

  protected JobWorker startWorker(String topic, JobHandler handler, SubscriptionOptions options,
      WorkerOptions workerOptions) {
    JobWorker worker = JobWorker.builder(engine).options(workerOptions)
        .subscribe(topic, handler, options).build();
    workers.add(worker);
    return worker.start();
  }

  protected long count(WorkerEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).count();
  }

  protected List<WorkerEvent> eventsOf(WorkerEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).toList();
  }

  protected void awaitEvents(WorkerEvent.Type type, long atLeast) {
    await().atMost(PATIENCE).until(() -> count(type) >= atLeast);
  }
}
