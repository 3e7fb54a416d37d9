package io.polyworker.reliability;

import static io.polyworker.WorkerEvent.Type.ALREADY_COMPLETED;
import static io.polyworker.WorkerEvent.Type.COMPLETED;
import static io.polyworker.WorkerEvent.Type.FAILED;
import static io.polyworker.WorkerEvent.Type.LOCK_LOST;
import static io.polyworker.WorkerEvent.Type.REPORT_FAILED;
import static io.polyworker.WorkerEvent.Type.REPORT_RETRIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.engine.Engine;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.reliability.support.ChildWorker;
import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.EventRecorder;
import io.polyworker.reliability.support.Measured;
import io.polyworker.reliability.support.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * 5,000 jobs (2,000 on JDK 17), four workers in this JVM and two in JVMs of their own competing for them, handlers
 * taking 0-20 ms and throwing for 5 % of the jobs (chosen by the job's own variable, so the expected
 * outcome of each instance is known). The engine's own records must show every job completed once
 * or failed as its handler decided (a failing job runs as many times as the engine gives it retries:
 * once on Camunda with {@code defaultRetries(1)}, three times on Flowable and Zeebe, whose jobs carry
 * three); extra runs of completed jobs are counted as at-least-once duplicates (none expected: no lock
 * expires).
 */
abstract class LoadContract {
  /** Jobs on the JDK 21+ of production (virtual threads). */
  static final int DEFAULT_JOBS = 5_000;
  /**
   * Jobs on JDK 17: the same contract at a smaller size, which keeps the test command within its
   * time budget (the full size took 80-95 s per engine and JDK).
   */
  static final int JDK17_JOBS = 2_000;

  /** {@value #DEFAULT_JOBS} on a JDK 21+, {@value #JDK17_JOBS} on JDK 17. */
  static int defaultJobs() {
    return Runtime.version().feature() >= 21 ? DEFAULT_JOBS : JDK17_JOBS;
  }
  static final int IN_JVM_WORKERS = 4;
  static final int CHILD_WORKERS = 2;
  static final int CONCURRENCY = 32;

  protected abstract EngineUnderTest target();

  /** How many jobs; {@link #defaultJobs()} unless an engine's test says otherwise (and why). */
  protected int jobs() {
    return defaultJobs();
  }

  /** The options of every load worker, here and in the child JVMs. */
  static SubscriptionOptions options(int concurrency) {
    return SubscriptionOptions.builder().maxConcurrentJobs(concurrency).defaultRetries(1)
        .retryBackoff(Duration.ofMillis(100)).longPollTimeout(Duration.ofSeconds(2)).build();
  }

  @Test
  @DisplayName("5,000 jobs (2,000 on JDK 17), 4 workers here + 2 in other JVMs, 5 % handler exceptions: every job completed or failed once")
  void competingWorkers() throws Exception {
    EngineUnderTest t = target();
    final int JOBS = jobs();
    String key = EngineUnderTest.unique("load");
    String topic = EngineUnderTest.unique("load_t");
    EventRecorder events = new EventRecorder();
    LoadHandler handler = new LoadHandler();
    List<ChildWorker> children = new ArrayList<>();
    List<JobWorker> workers = new ArrayList<>();
    List<Path> childResults = new ArrayList<>();
    try (Engine admin = t.connect(); Engine engine = t.connect()) {
      t.deploySingleTask(admin, key, topic);
      // The backlog first (from 6 threads), then the workers drain it: worker throughput is measured alone.
      long creating = System.nanoTime();
      List<String> instances = t.startInstances(admin, key, JOBS, i -> Map.of("n", i), 6);
      double startSeconds = (System.nanoTime() - creating) / 1e9;
      int expectedFailed = 0;
      for (int n = 0; n < JOBS; n++) {
        expectedFailed += LoadHandler.fails(n) ? 1 : 0;
      }
      int expectedSettled = JOBS;

      long started = System.nanoTime();
      for (int i = 1; i <= CHILD_WORKERS; i++) {
        Path result = Path.of("target", "child-workers", key + "-child-" + i + ".runs").toAbsolutePath();
        childResults.add(result);
        children.add(new ChildWorker(key + "-child-" + i, LoadWorkerMain.class,
            ChildWorker.quietLogging(t.config(t.port())),
            List.of(topic, "child-" + i, result.toString(), String.valueOf(CONCURRENCY))));
      }
      for (int i = 1; i <= IN_JVM_WORKERS; i++) {
        workers.add(JobWorker.builder(engine).workerId("jvm-" + i).listener(events)
            .subscribe(topic, handler, options(CONCURRENCY))
            .build().start());
      }
      for (ChildWorker c : children) {
        c.awaitReady(60);
      }
      long[] lastLog = {System.nanoTime()};
      await().atMost(Duration.ofSeconds(180)).pollInterval(t.progressPollInterval()).until(() -> {
        EngineUnderTest.Progress p = t.progress(key, topic);
        if (System.nanoTime() - lastLog[0] > 10_000_000_000L) {
          lastLog[0] = System.nanoTime();
          System.out.printf("load/%s: %.0f s: %s, events here: %s%n", t.id(), (System.nanoTime() - started) / 1e9, p,
              events.summary());
        }
        return p.completedInstances() + p.failedJobs() >= expectedSettled;
      });
      double wallSeconds = (System.nanoTime() - started) / 1e9;

      for (ChildWorker c : children) {
        c.stop(60);
      }
      workers.forEach(JobWorker::close);

      // Handler runs per instance across all JVMs.
      Map<String, Integer> runs = new HashMap<>();
      handler.runs.forEach((pi, n) -> runs.merge(pi, n.get(), Integer::sum));
      Map<String, Integer> runsByJvm = new TreeMap<>();
      runsByJvm.put("this JVM", handler.runs.values().stream().mapToInt(AtomicInteger::get).sum());
      for (int i = 0; i < childResults.size(); i++) {
        int total = 0;
        for (String line : Files.readAllLines(childResults.get(i), StandardCharsets.UTF_8)) {
          String[] parts = line.split(" ");
          runs.merge(parts[0], Integer.parseInt(parts[1]), Integer::sum);
          total += Integer.parseInt(parts[1]);
        }
        runsByJvm.put("child-" + (i + 1), total);
      }
      // The engine's own accounting, and the handler runs against it.
      Map<String, Outcome> ledger = t.ledger(key);
      int attemptsPerFailingJob = t.initialRetries() == null ? 1 : t.initialRetries();
      List<String> wrong = new ArrayList<>();
      Map<String, Integer> completedBy = new TreeMap<>();
      int duplicates = 0;
      int failingRuns = 0;
      int completing = 0;
      for (int n = 0; n < JOBS; n++) {
        String instance = instances.get(n);
        Outcome o = ledger.get(instance);
        int ran = runs.getOrDefault(instance, 0);
        boolean ok;
        if (LoadHandler.fails(n)) {
          failingRuns += ran;
          ok = o != null && o.completions() == 0 && o.failures() >= 1 && o.incident() && o.state().equals("ACTIVE")
              && ran == attemptsPerFailingJob;
        } else {
          duplicates += Math.max(0, ran - 1);
          completing += o != null && o.state().equals(EngineUnderTest.COMPLETING) ? 1 : 0;
          ok = o != null && o.completions() == 1 && o.failures() == 0 && ran >= 1
              && (o.state().equals("COMPLETED") || o.state().equals(EngineUnderTest.COMPLETING));
        }
        if (!ok && wrong.size() < 20) {
          wrong.add("n=" + n + " ran " + ran + "x: " + o);
        }
        if (o != null) {
          o.completedBy().forEach(w -> completedBy.merge(w, 1, Integer::sum));
        }
      }
      int handlerRuns = runs.values().stream().mapToInt(Integer::intValue).sum();
      Measured.report("load/" + t.id(),
          "%d jobs (%d failing by design), %d workers here + %d child JVMs x %d slots: backlog of instances "
              + "created in %.1f s (%.0f/s); workers drained it in %.1f s (%.0f jobs/s, child JVM start-up included); handler runs %d "
              + "(by JVM %s): completed jobs ran %d extra time(s), the failing jobs %d times (%d attempt(s) each, the "
              + "engine's retries); engine: %d as decided, %d not (%d completions still being carried out); "
              + "completions by worker %s; "
              + "events here: COMPLETED=%d FAILED=%d ALREADY_COMPLETED=%d LOCK_LOST=%d REPORT_RETRIED=%d REPORT_FAILED=%d",
          JOBS, expectedFailed, IN_JVM_WORKERS, CHILD_WORKERS, CONCURRENCY, startSeconds, JOBS / startSeconds,
          wallSeconds, JOBS / wallSeconds, handlerRuns, runsByJvm, duplicates, failingRuns, attemptsPerFailingJob,
          JOBS - wrong.size(), wrong.size(), completing, completedBy, events.count(COMPLETED), events.count(FAILED), events.count(ALREADY_COMPLETED),
          events.count(LOCK_LOST), events.count(REPORT_RETRIED), events.count(REPORT_FAILED));

      assertThat(wrong).as("instances whose outcome is not what the handler decided").isEmpty();
      assertThat(ledger).hasSize(JOBS);
      assertThat(runs).as("every job reached a handler").hasSize(JOBS);
      assertThat(duplicates).as("at-least-once duplicates of completed jobs without lock expiry").isZero();
      assertThat(events.count(REPORT_FAILED)).isZero();
      // A rejected report is only acceptable as the echo of a retried report whose first attempt the engine took
      // (an answer lost to a timeout): the engine's ledger above is the proof that nothing ran or counted twice.
      assertThat(events.count(LOCK_LOST) + events.count(ALREADY_COMPLETED)).as("rejected reports")
          .isLessThanOrEqualTo(events.count(REPORT_RETRIED));
      assertThat(runsByJvm.values()).as("every JVM took part").allMatch(n -> n > 0);
    } finally {
      workers.forEach(JobWorker::close);
      for (ChildWorker c : children) {
        c.close();
      }
    }
  }
}
