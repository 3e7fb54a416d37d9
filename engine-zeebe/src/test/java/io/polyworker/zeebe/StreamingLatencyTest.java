package io.polyworker.zeebe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.DeploymentResource;
import io.polyworker.engine.Engine;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerOptions;
import io.polyworker.spi.Capability;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.LocalZeebe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acceptance: a job created while a worker is idle reaches its handler through the job stream, not
 * through the next poll. The empty-poll backoff is 30 s, so after the first empty poll the poller
 * sleeps for 30 s; a handler that starts within a couple of seconds of the instance being created
 * can only have been reached by the push.
 */
class StreamingLatencyTest {
  private static final Logger LOG = LoggerFactory.getLogger(StreamingLatencyTest.class);
  private static final Duration POLL_BACKOFF = Duration.ofSeconds(30);

  private Engine engine;
  private JobWorker worker;

  @BeforeEach
  void connect() {
    engine = ZeebeEngine.builder().grpcAddress(LocalZeebe.shared().grpcUri()).plaintext().build();
  }

  @AfterEach
  void close() {
    if (worker != null) {
      worker.close();
    }
    engine.close();
  }

  @Test
  void aStreamedJobReachesItsHandlerLongBeforeTheNextPoll() {
    assertThat(engine.capabilities().has(Capability.STREAMING)).isTrue();
    String type = "stream-" + UUID.randomUUID();
    TestProcess process = TestProcess.named("latency_" + UUID.randomUUID().toString().replace("-", ""))
        .task("task", type);
    engine.processClient().deploy(DeploymentResource.of(process.resourceName(), process.toXml(Dialect.ZEEBE)));

    List<WorkerEvent> events = new CopyOnWriteArrayList<>();
    AtomicLong handlerStartedAt = new AtomicLong();
    worker = JobWorker.builder(engine)
        .options(WorkerOptions.builder()
            .workerId("latency-worker")
            .emptyPollBackoff(POLL_BACKOFF, POLL_BACKOFF)
            .listener(events::add)
            .build())
        .subscribe(type, job -> {
          handlerStartedAt.compareAndSet(0, System.nanoTime());
          return JobResult.complete(Map.of("streamed", true));
        }, SubscriptionOptions.defaults())
        .build()
        .start();
    // The first poll finds nothing; from now on the poller sleeps for 30 s.
    await().atMost(Duration.ofSeconds(10)).until(() -> count(events, WorkerEvent.Type.POLL_EMPTY) >= 1);

    Duration cold = pushOne(process, handlerStartedAt, events, 1);
    // A second job once the path is warm (JIT, channel, stream registered long ago).
    handlerStartedAt.set(0);
    Duration warm = pushOne(process, handlerStartedAt, events, 2);

    // Pushed, not polled: no fetch returned a job and the poller is still in its first backoff.
    assertThat(count(events, WorkerEvent.Type.FETCHED)).isZero();
    assertThat(count(events, WorkerEvent.Type.POLL_EMPTY)).isEqualTo(1);
    assertThat(cold).isLessThan(Duration.ofSeconds(2));
    assertThat(warm).isLessThan(Duration.ofSeconds(2));
  }

  /** Starts an instance and waits for its job's handler; returns startProcess-call-to-handler time. */
  private Duration pushOne(TestProcess process, AtomicLong handlerStartedAt, List<WorkerEvent> events,
      int completed) {
    long created = System.nanoTime();
    engine.processClient().startProcess(process.id(), Map.of());
    long started = System.nanoTime();

    await().atMost(Duration.ofSeconds(2)).until(() -> handlerStartedAt.get() != 0);
    Duration latency = Duration.ofNanos(handlerStartedAt.get() - created);
    LOG.info("streamed job {} reached its handler {} ms after startProcess was called ({} ms after it"
        + " returned; poll backoff {} s)", completed, latency.toMillis(),
        Duration.ofNanos(handlerStartedAt.get() - started).toMillis(), POLL_BACKOFF.toSeconds());
    await().atMost(Duration.ofSeconds(5)).until(() -> count(events, WorkerEvent.Type.COMPLETED) == completed);
    return latency;
  }

  private static long count(List<WorkerEvent> events, WorkerEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).count();
  }
}
