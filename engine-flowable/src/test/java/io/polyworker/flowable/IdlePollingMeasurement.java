package io.polyworker.flowable;

import io.polyworker.DeploymentResource;
import io.polyworker.engine.Engine;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerOptions;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.LocalFlowable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures what a worker costs and how fast it reacts on Flowable, which has no long polling: idle
 * acquires per second, and the time from a job becoming available (the start call that creates it has
 * returned) to its handler starting, while the worker is idle. Not a test; the figures go into the
 * module README.
 *
 * <pre>
 * mvn -pl engine-flowable test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.polyworker.flowable.IdlePollingMeasurement [-Dexec.args="20 1000"]
 * </pre>
 *
 * Arguments: samples (default 20), and emptyPollBackoff maximum in ms (default: the WorkerOptions
 * default). The waits between samples are random (3-5 s) so that each job arrives at a random phase
 * of a fully backed-off poller; they are pacing, not synchronisation.
 */
public final class IdlePollingMeasurement {
  private IdlePollingMeasurement() {}

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    WorkerOptions.Builder options = WorkerOptions.builder().workerId("measure");
    String backoff = "default (" + WorkerOptions.DEFAULT_EMPTY_POLL_BACKOFF + ")";
    if (args.length > 1) {
      long max = Long.parseLong(args[1]);
      options.emptyPollBackoff(Duration.ofMillis(Math.min(20, max)), Duration.ofMillis(max));
      backoff = Math.min(20, max) + " ms doubling to " + max + " ms";
    }
    LocalFlowable flowable = LocalFlowable.shared();
    try (Engine engine = FlowableEngine.builder().baseUrl(flowable.baseUrl()).build()) {
      String topic = "measure-" + System.nanoTime();
      TestProcess process = TestProcess.named("measure" + System.nanoTime()).task("work", topic);
      engine.processClient().deploy(DeploymentResource.of(process.resourceName(),
          process.toXml(Dialect.FLOWABLE)));

      AtomicInteger emptyPolls = new AtomicInteger();
      BlockingQueue<Long> started = new ArrayBlockingQueue<>(samples + 1);
      options.listener(e -> {
        if (e.type() == WorkerEvent.Type.POLL_EMPTY) {
          emptyPolls.incrementAndGet();
        }
      });
      try (JobWorker worker = JobWorker.builder(engine).options(options.build())
          .subscribe(topic, job -> {
            started.add(System.nanoTime());
            return JobResult.complete();
          }, SubscriptionOptions.defaults())
          .build()) {
        worker.start();

        // Idle rate: first the ramp-up from a fresh start, then the steady state.
        long t0 = System.nanoTime();
        Thread.sleep(5_000);
        int rampUp = emptyPolls.get();
        long t1 = System.nanoTime();
        Thread.sleep(30_000);
        int steady = emptyPolls.get() - rampUp;
        double steadyRate = steady / ((System.nanoTime() - t1) / 1e9);
        System.out.printf("backoff %s%n", backoff);
        System.out.printf("idle acquires: %d in the first %.1f s, then %.2f per second (%d in %.1f s)%n",
            rampUp, (t1 - t0) / 1e9, steadyRate, steady, (System.nanoTime() - t1) / 1e9);

        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
          Thread.sleep(ThreadLocalRandom.current().nextLong(3_000, 5_000));
          engine.processClient().startProcess(process.id(), Map.of());
          long available = System.nanoTime();
          Long handlerStart = started.poll(30, TimeUnit.SECONDS);
          if (handlerStart == null) {
            throw new IllegalStateException("no job within 30 s");
          }
          latencies.add((handlerStart - available) / 1e6);
        }
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("pickup latency at idle over %d samples: median %.0f ms, p90 %.0f ms,"
                + " min %.0f ms, max %.0f ms%n", samples, percentile(sorted, 50),
            percentile(sorted, 90), sorted.get(0), sorted.get(sorted.size() - 1));
        System.out.printf("samples (ms): %s%n", latencies.stream()
            .map(d -> String.format("%.0f", d)).toList());
      }
    }
    System.exit(0);
  }

  /** Nearest-rank percentile. */
  private static double percentile(List<Double> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
