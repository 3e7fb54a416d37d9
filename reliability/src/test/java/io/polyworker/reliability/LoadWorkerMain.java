package io.polyworker.reliability;

import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.worker.JobWorker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A worker in a JVM of its own, for the load test: the engine from configuration
 * ({@code -Dpolyworker.engine=..., -Dpolyworker.url=...}), the {@link LoadHandler} on one topic.
 * Prints {@code READY} when started, closes gracefully on the line {@code STOP} on standard input
 * (or when standard input ends, or after 5 minutes at most), writes {@code <instanceId> <runs>} lines
 * to the result file, prints {@code DONE} and exits.
 *
 * <p>Arguments: {@code <topic> <workerId> <resultFile> <maxConcurrentJobs>}.
 */
public final class LoadWorkerMain {
  private LoadWorkerMain() {}

  public static void main(String[] args) throws Exception {
    String topic = args[0];
    String workerId = args[1];
    Path result = Path.of(args[2]);
    int concurrency = Integer.parseInt(args[3]);
    LoadHandler handler = new LoadHandler();
    try (Engine engine = Engines.fromConfig(EngineConfig.fromEnvironment());
         JobWorker worker = JobWorker.builder(engine).workerId(workerId)
             .drainTimeout(Duration.ofSeconds(20))
             .subscribe(topic, handler, LoadContract.options(concurrency))
             .build().start()) {
      System.err.println("child worker " + workerId + " on " + engine.id() + ", topic " + topic + ": started");
      System.out.println("READY");
      System.out.flush();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null && !line.equals("STOP")) {
            // ignore anything else
          }
        } catch (Exception e) {
          // stdin gone: stop
        }
      }, "stdin");
      reader.setDaemon(true);
      reader.start();
      reader.join(TimeUnit.MINUTES.toMillis(5));
    }
    System.err.println("child worker " + workerId + ": ran " + handler.runs.size() + " jobs");
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(result, StandardCharsets.UTF_8))) {
      handler.runs.forEach((instance, runs) -> out.println(instance + " " + runs.get()));
    }
    System.out.println("DONE");
    System.out.flush();
  }
}
