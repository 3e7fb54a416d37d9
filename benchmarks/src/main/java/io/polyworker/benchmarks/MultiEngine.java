package io.polyworker.benchmarks;

import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.engine.Engine;
import io.polyworker.worker.JobWorker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One worker over two engines against two single-engine workers with the same slots in total
 * (issue 14): Camunda 7 and Zeebe started locally, a backlog of {@code --jobs} instances on each,
 * then either one {@code JobWorker.builder(List.of(camunda, zeebe))} with 64 slots shared, or two
 * workers with 32 slots each, run alternately ({@code --runs} pairs after one discarded pair), with
 * zero-work and 50 ms handlers. The figure is the rate at which both backlogs drain together (all
 * jobs of both engines ÷ time until the last one completed); the ratio is of the medians, measured
 * side by side in one run.
 *
 * <p>Run it with {@code mvn -B -q -pl benchmarks exec:exec
 * -Dbench.main=io.polyworker.benchmarks.MultiEngine -Dbench.args="--runs=3 --jobs=2000"}.
 */
public final class MultiEngine {
  private static final int SLOTS = 64;

  private MultiEngine() {}

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    Map<String, String> options = StarterStartup.options(args);
    int runs = Integer.parseInt(options.getOrDefault("runs", "3"));
    int jobs = Integer.parseInt(options.getOrDefault("jobs", "2000"));
    Path output = Path.of(options.getOrDefault("output", "results"));
    Settings settings = Settings.parse(new String[0]);
    Machine machine = Machine.describe();
    List<String> lines = new ArrayList<>();
    lines.add("One worker over Camunda 7 and Zeebe vs two single-engine workers, " + SLOTS + " slots in total, "
        + jobs + " jobs per engine per run, " + runs + " pairs after one discarded");
    lines.add(machine.summary());
    System.out.println(String.join("\n", lines));
    try (Target camunda = Target.create("camunda", settings); Target zeebe = Target.create("zeebe", settings)) {
      camunda.start();
      zeebe.start();
      for (long work : new long[] {0, 50}) {
        List<Double> combined = new ArrayList<>();
        List<Double> separate = new ArrayList<>();
        for (int r = 0; r <= runs; r++) {
          for (boolean one : r % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
            double rate = run(camunda, zeebe, jobs, work, one);
            String line = String.format("  %s, %d ms handlers, run %d: %.0f jobs/s%s",
                one ? "one worker over both" : "two workers", work, r, rate, r == 0 ? " (discarded)" : "");
            System.out.println(line);
            lines.add(line);
            if (r > 0) {
              (one ? combined : separate).add(rate);
            }
          }
        }
        double c = Stats.median(combined);
        double s = Stats.median(separate);
        String summary = String.format("%d ms handlers: one worker over both %.0f jobs/s, two workers %.0f jobs/s"
            + " (medians of %d): ratio %.2f (target >= 0.90)", work, c, s, runs, c / s);
        System.out.println(summary);
        lines.add(summary);
      }
    }
    Files.createDirectories(output);
    Path file = output.resolve("multi-engine-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".txt");
    Files.write(file, lines, StandardCharsets.UTF_8);
    System.out.println("written: " + file);
  }

  /** Drains a backlog of {@code jobs} on each engine; returns all jobs per second. */
  private static double run(Target camunda, Target zeebe, int jobs, long workMillis, boolean oneWorker)
      throws Exception {
    String topic = "multi-" + System.nanoTime();
    String key = "multi_" + System.nanoTime();
    for (Target t : List.of(camunda, zeebe)) {
      t.deploy(key, topic);
      t.startInstances(key, jobs, 4, Duration.ofMinutes(5));
    }
    CountDownLatch done = new CountDownLatch(2 * jobs);
    JobHandler handler = job -> {
      if (workMillis > 0) {
        Thread.sleep(workMillis);
      }
      done.countDown();
      return JobResult.complete(Map.of());
    };
    List<Engine> engines = List.of(camunda.newEngine(), zeebe.newEngine());
    List<JobWorker> workers = new ArrayList<>();
    long started = System.nanoTime();
    try {
      if (oneWorker) {
        workers.add(JobWorker.builder(engines).subscribe(topic, handler,
            SubscriptionOptions.builder().maxConcurrentJobs(SLOTS).build()).build().start());
      } else {
        for (Engine e : engines) {
          workers.add(JobWorker.builder(e).subscribe(topic, handler,
              SubscriptionOptions.builder().maxConcurrentJobs(SLOTS / 2).build()).build().start());
        }
      }
      if (!done.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the backlog did not drain within 10 minutes");
      }
      return 2.0 * jobs / ((System.nanoTime() - started) / 1e9);
    } finally {
      workers.forEach(JobWorker::close);
      engines.forEach(Engine::close);
    }
  }
}
