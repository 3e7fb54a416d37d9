package io.polyworker.reliability;

import io.polyworker.engine.Engine;
import io.polyworker.JobHandler;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerListener;
import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.EventRecorder;
import io.polyworker.reliability.support.Outcome;
import io.polyworker.testkit.engines.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One test's world: a fresh single-task process with its own topic on the engine under test, a
 * fault proxy in front of the engine, an engine client through the proxy for the workers, and a
 * direct one ({@link #admin}) for the test's own calls. Closing it closes workers, clients and proxy.
 */
final class Scenario implements AutoCloseable {
  final EngineUnderTest target;
  final FaultProxy proxy;
  final Engine engine;
  final Engine admin;
  final String key;
  final String topic;
  final EventRecorder events = new EventRecorder();
  private final List<JobWorker> workers = new ArrayList<>();

  Scenario(EngineUnderTest target, String name, Duration requestTimeout) {
    this.target = target;
    this.key = EngineUnderTest.unique(name);
    this.topic = EngineUnderTest.unique(name + "_t");
    this.proxy = FaultProxy.to(target.port());
    this.engine = target.connect(proxy.port(), requestTimeout);
    this.admin = target.connect();
    target.deploySingleTask(admin, key, topic);
  }

  Scenario(EngineUnderTest target, String name) {
    this(target, name, Duration.ofSeconds(10));
  }

  /** Starts {@code n} instances with variable {@code n} = their index. */
  List<String> start(int n) {
    return target.startInstances(admin, key, n, i -> Map.of("n", i), Math.min(n, 4));
  }

  String startOne() {
    return start(1).get(0);
  }

  /** A started worker through the proxy on this scenario's topic, recorded in {@link #events}. */
  JobWorker worker(String workerId, JobHandler handler, SubscriptionOptions options) {
    return worker(workerId, handler, options, events);
  }

  /** As {@link #worker(String, JobHandler, SubscriptionOptions)}, with its own listener. */
  JobWorker worker(String workerId, JobHandler handler, SubscriptionOptions options, WorkerListener listener) {
    JobWorker w = JobWorker.builder(engine).workerId(workerId).listener(listener)
        .subscribe(topic, handler, options).build();
    workers.add(w);
    return w.start();
  }

  Outcome outcome(String instanceId) {
    return target.ledger(key).get(instanceId);
  }

  /** The outcome once the instance is in {@code state} (engines such as Flowable complete asynchronously). */
  Outcome awaitOutcome(String instanceId, String state) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          Outcome o = outcome(instanceId);
          return o != null && o.state().equals(state);
        });
    return outcome(instanceId);
  }

  @Override
  public void close() {
    workers.forEach(JobWorker::close);
    engine.close();
    admin.close();
    proxy.close();
  }
}
