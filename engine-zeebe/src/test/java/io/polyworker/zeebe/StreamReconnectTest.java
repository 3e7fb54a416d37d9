package io.polyworker.zeebe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.DeploymentResource;
import io.polyworker.engine.Engine;
import io.polyworker.EngineUnavailableException;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerOptions;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.LocalZeebe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The job stream survives a gateway restart: it is reopened with backoff, and new jobs are pushed
 * again without waiting for the (30 s) poll. Uses an engine of its own, since it restarts it.
 */
class StreamReconnectTest {
  private static final Duration POLL_BACKOFF = Duration.ofSeconds(30);

  @Test
  void theStreamIsReopenedAfterTheGatewayRestarts() {
    try (LocalZeebe zeebe = LocalZeebe.create()) {
      zeebe.start();
      String type = "reconnect";
      TestProcess process = TestProcess.named("reconnect").task("task", type);
      List<WorkerEvent> events = new CopyOnWriteArrayList<>();
      AtomicInteger handled = new AtomicInteger();
      try (Engine engine = ZeebeEngine.builder().grpcAddress(zeebe.grpcUri()).plaintext().build();
          JobWorker worker = JobWorker.builder(engine)
              .options(WorkerOptions.builder()
                  .emptyPollBackoff(POLL_BACKOFF, POLL_BACKOFF)
                  .pollErrorBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
                  .listener(events::add)
                  .build())
              .subscribe(type, job -> {
                handled.incrementAndGet();
                return JobResult.complete();
                // One slot per fetch leaves the others free for pushes while a fetch is in flight
                // (the runtime does not hand queued pushes the slots of an empty fetch; see
                // PushWhileFetchingTest).
              }, SubscriptionOptions.builder().maxJobsPerFetch(1).build())
              .build()
              .start()) {
        // After its first (empty) poll the poller sleeps for 30 s: what arrives before then was pushed.
        await().atMost(Duration.ofSeconds(10)).until(() -> count(events, WorkerEvent.Type.POLL_EMPTY) >= 1);
        long firstPoll = System.nanoTime();

        zeebe.restart(); // in-memory engine: comes back empty, on the same port

        // The channel itself reconnects with backoff: until it has, calls fail fast as unavailable.
        await().atMost(Duration.ofSeconds(10)).ignoreException(EngineUnavailableException.class)
            .until(() -> !engine.processClient().deploy(
                DeploymentResource.of(process.resourceName(), process.toXml(Dialect.ZEEBE))).isEmpty());
        // The stream reopens on its own backoff (at most 5 s): keep starting instances until one is pushed.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
          engine.processClient().startProcess(process.id(), Map.of());
          return handled.get() > 0;
        });
        assertThat(Duration.ofNanos(System.nanoTime() - firstPoll)).isLessThan(POLL_BACKOFF);
        assertThat(count(events, WorkerEvent.Type.FETCHED)).isZero();
      }
    }
  }

  private static long count(List<WorkerEvent> events, WorkerEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).count();
  }
}
