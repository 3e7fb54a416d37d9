package io.polyworker.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.WorkerEvent;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.engine.Engine;
import io.polyworker.testkit.engines.FaultProxy;
import io.polyworker.worker.JobWorker;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A worker's cost as its topics grow (issue 17): one Polyworker worker with the defaults over 1 and
 * then 50 subscriptions on each engine, through a counting proxy. Idle: requests per second to the
 * engine and open connections over {@code --idle} seconds, and the worker JVM's CPU; pickup: the
 * time from starting an instance on the last topic to its handler's first line ({@code --samples}
 * times, 100–300 ms apart); busy: {@code --jobs} zero-work jobs spread evenly over the topics,
 * drained. Requests are counted at the wire where the protocol is HTTP/1.1 (Camunda's
 * fetchAndLock, Flowable's acquire); on Zeebe (gRPC, whose header compression hides the method
 * names) from the worker's fetch events, one per ActivateJobs request.
 *
 * <p>Run it with {@code mvn -B -q -pl benchmarks exec:exec
 * -Dbench.main=io.polyworker.benchmarks.ManyTopics -Dbench.args="--engines=camunda,flowable,zeebe"}.
 */
public final class ManyTopics {
  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private ManyTopics() {}

  /** What one worker over {@code topics} subscriptions measured. */
  record Figures(int topics, double idleRequestsPerSecond, int openConnections, double idleCpuMsPerSecond,
      double pickupP50Millis, double pickupMaxMillis, double busyJobsPerSecond) {}

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    Map<String, String> options = StarterStartup.options(args);
    List<String> engines = List.of(options.getOrDefault("engines", "camunda,flowable,zeebe").split(","));
    int many = Integer.parseInt(options.getOrDefault("topics", "50"));
    Duration idle = Duration.ofSeconds(Integer.parseInt(options.getOrDefault("idle", "10")));
    int samples = Integer.parseInt(options.getOrDefault("samples", "15"));
    int jobs = Integer.parseInt(options.getOrDefault("jobs", "1000"));
    Path output = Path.of(options.getOrDefault("output", "results"));
    Settings settings = Settings.parse(new String[0]);
    List<String> lines = new ArrayList<>();
    lines.add("# Many topics: one worker (defaults) over 1 and " + many + " subscriptions");
    lines.add("");
    lines.add(Machine.describe().summary() + ". Idle window " + idle.toSeconds() + " s, " + samples
        + " pickup samples, " + jobs + " busy jobs spread over the topics.");
    lines.add("");
    lines.add("| engine | topics | idle requests/s | open connections | idle worker CPU ms/s | pickup p50 ms"
        + " | pickup max ms | busy jobs/s | requests counted by |");
    lines.add("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    List<String> targets = new ArrayList<>();
    for (String id : engines) {
      try (Target target = Target.create(id.trim(), settings)) {
        target.start();
        Figures one = measure(target, 1, idle, samples, jobs);
        Figures lots = measure(target, many, idle, samples, jobs);
        for (Figures f : List.of(one, lots)) {
          String row = String.format("| %s | %d | %.2f | %d | %.1f | %.1f | %.1f | %.0f | %s |", target.name(),
              f.topics(), f.idleRequestsPerSecond(), f.openConnections(), f.idleCpuMsPerSecond(),
              f.pickupP50Millis(), f.pickupMaxMillis(), f.busyJobsPerSecond(), countedBy(target));
          System.out.println(row);
          lines.add(row);
        }
        double requests = lots.idleRequestsPerSecond() / Math.max(one.idleRequestsPerSecond(), 1e-9);
        double pickup = lots.pickupP50Millis() / one.pickupP50Millis();
        targets.add(String.format("| %s | idle requests/s, %d topics / 1 | ≤ 2.00× | %.2f× | %s |",
            target.name(), many, requests, requests <= 2 ? "yes" : "**no**"));
        targets.add(String.format("| %s | pickup p50, %d topics / 1 | ≤ 1.50× | %.2f× | %s |",
            target.name(), many, pickup, pickup <= 1.5 ? "yes" : "**no**"));
      }
    }
    lines.add("");
    lines.add("| engine | ratio | target | measured | met |");
    lines.add("|---|---|---:|---:|---|");
    lines.addAll(targets);
    targets.forEach(System.out::println);
    Files.createDirectories(output);
    Path file = output.resolve("many-topics-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
    Files.write(file, lines, StandardCharsets.UTF_8);
    System.out.println("written: " + file);
  }

  private static String countedBy(Target target) {
    List<String> markers = markers(target);
    return !markers.isEmpty() ? "proxy, " + String.join(" + ", markers.stream()
        .map(m -> "\"" + m.trim() + "\"").toList()) + " request lines"
        : "worker events FETCHED + POLL_EMPTY + POLL_ERROR";
  }

  /**
   * The request lines marking a fetch, where the protocol shows them: on Flowable the acquires and
   * the probes that ask whether any job waits.
   */
  private static List<String> markers(Target target) {
    return switch (target.id()) {
      case "camunda" -> List.of("/fetchAndLock ");
      case "flowable" -> List.of("/acquire/jobs ", "/jobs?unlocked=");
      default -> List.of();
    };
  }

  private static long requests(FaultProxy proxy, List<String> markers, AtomicLong fetchEvents) {
    return markers.isEmpty() ? fetchEvents.get() : markers.stream().mapToLong(proxy::counted).sum();
  }

  private static Figures measure(Target target, int topics, Duration idle, int samples, int jobs)
      throws Exception {
    String run = "many" + System.nanoTime();
    List<String> keys = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < topics; i++) {
      keys.add(run + "_p" + i);
      names.add(run + "-t" + i);
      target.deploy(keys.get(i), names.get(i));
    }
    Map<String, Long> started = new ConcurrentHashMap<>();
    AtomicLong fetchEvents = new AtomicLong();
    CountDownLatch[] busy = {new CountDownLatch(0)};
    JobHandler handler = job -> {
      started.putIfAbsent(job.processInstanceId(), System.nanoTime());
      busy[0].countDown();
      return JobResult.complete(Map.of());
    };
    try (FaultProxy proxy = FaultProxy.to(URI.create(target.config().get(EngineConfig.URL)).getPort());
        Engine engine = Engines.fromConfig(EngineConfig.fromMap(proxied(target.config(), proxy.port())))) {
      List<String> markers = markers(target);
      markers.forEach(proxy::count);
      JobWorker.Builder b = JobWorker.builder(engine).listener(e -> {
        if (e.type() == WorkerEvent.Type.FETCHED || e.type() == WorkerEvent.Type.POLL_EMPTY
            || e.type() == WorkerEvent.Type.POLL_ERROR) {
          fetchEvents.incrementAndGet();
        }
      });
      names.forEach(t -> b.subscribe(t, handler));
      double[] idleFigures;
      try (JobWorker worker = b.build().start()) {
        // Settle: the first fetches of every topic at start are not the idle cost.
        Meter.awaitQuiet(Duration.ofSeconds(10));
        Thread.sleep(3_000);
        long requests0 = requests(proxy, markers, fetchEvents);
        long cpu0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(idle.toMillis());
        double seconds = (System.nanoTime() - t0) / 1e9;
        long requests = requests(proxy, markers, fetchEvents) - requests0;
        double cpu = (OS.getProcessCpuTime() - cpu0) / 1e6 / seconds;
        int connections = proxy.openConnections();

        String last = keys.get(topics - 1);
        List<Double> pickups = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
          Thread.sleep(ThreadLocalRandom.current().nextInt(100, 300));
          long sent = System.nanoTime();
          String instance = target.startInstance(last);
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (!started.containsKey(instance) && System.nanoTime() < deadline) {
            Thread.sleep(1);
          }
          Long s = started.get(instance);
          if (s != null) {
            pickups.add((s - sent) / 1e6);
          }
        }

        idleFigures = new double[] {requests / seconds, connections, cpu, Stats.percentile(pickups, 50),
            Stats.max(pickups)};
      }

      // Busy: a backlog spread over the topics, made before the worker opens; the clock runs from
      // opening it to the last completion.
      Map<String, Integer> perTopic = new HashMap<>();
      for (int i = 0; i < jobs; i++) {
        perTopic.merge(keys.get(i % topics), 1, Integer::sum);
      }
      for (Map.Entry<String, Integer> e : perTopic.entrySet()) {
        target.startInstances(e.getKey(), e.getValue(), 4, Duration.ofMinutes(5));
      }
      CountDownLatch done = new CountDownLatch(jobs);
      busy[0] = done;
      JobWorker.Builder bb = JobWorker.builder(engine);
      names.forEach(t -> bb.subscribe(t, handler));
      long busyStart = System.nanoTime();
      double busyRate;
      try (JobWorker worker = bb.build().start()) {
        busyRate = done.await(5, TimeUnit.MINUTES) ? jobs / ((System.nanoTime() - busyStart) / 1e9) : Double.NaN;
      }
      return new Figures(topics, idleFigures[0], (int) idleFigures[1], idleFigures[2], idleFigures[3],
          idleFigures[4], busyRate);
    }
  }

  /** The engine's config with its URL's port replaced by the proxy's. */
  private static Map<String, String> proxied(Map<String, String> config, int port) {
    Map<String, String> out = new HashMap<>(config);
    URI url = URI.create(config.get(EngineConfig.URL));
    out.put(EngineConfig.URL, url.getScheme() + "://" + url.getHost() + ":" + port + url.getRawPath());
    return out;
  }
}
