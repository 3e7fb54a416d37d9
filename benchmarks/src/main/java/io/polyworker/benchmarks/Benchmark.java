package io.polyworker.benchmarks;

import io.polyworker.benchmarks.Client.Kind;
import io.polyworker.benchmarks.Results.LatencyRow;
import io.polyworker.benchmarks.Results.RunRow;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The benchmark: for each engine in turn, starts the real local engine, warms up, then for every
 * repetition and handler variant drains N fresh process instances (one external task each) with
 * each client back to back (the order rotates per repetition), and finally measures idle fetching
 * and job-available-to-handler-start latency per client. Writes Markdown, CSV and a PNG chart.
 *
 * <p>Every wait is bounded: a run stops at its timeout and reports the rate it reached, a client
 * that does not close in time is abandoned, an engine that does not start is reported and skipped.
 */
public final class Benchmark {
  private static final Duration CREATE_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(40);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final Settings settings;
  private final Meter meter;
  private final Results results;
  /** Clients still closing in the background (see {@link #closeInBackground}). */
  private final List<Thread> closing = new ArrayList<>();

  private Benchmark(Settings settings, Meter meter, Results results) {
    this.settings = settings;
    this.meter = meter;
    this.results = results;
  }

  public static void main(String[] args) throws Exception {
    Settings settings;
    try {
      settings = Settings.parse(args);
    } catch (IllegalArgumentException e) {
      if ("help".equals(e.getMessage())) {
        System.out.println(Settings.USAGE);
        System.exit(0);
      }
      System.err.println(e.getMessage());
      System.err.println(Settings.USAGE);
      System.exit(2);
      return;
    }
    Locale.setDefault(Locale.ROOT);
    Machine machine = Machine.describe();
    System.out.println("Polyworker benchmarks: " + settings.describe());
    System.out.println(machine.summary());
    long started = System.nanoTime();
    Results results = new Results(settings, machine);
    try (Meter meter = new Meter()) {
      Benchmark benchmark = new Benchmark(settings, meter, results);
      for (String engine : settings.engines()) {
        benchmark.runEngine(engine);
      }
      if (!settings.idle().isZero()) {
        // At the end, with the JIT done and every client closed: what "idle" costs with nothing open.
        meter.begin();
        Thread.sleep(settings.idle().toMillis());
        double baseline = meter.end().cpuSeconds() * 1000 / settings.idle().toSeconds();
        results.baselineCpu(baseline);
        System.out.printf("%nIdle JVM baseline (no client open, meter running): %.1f ms CPU per second%n", baseline);
      }
    }
    results.finish(Duration.ofNanos(System.nanoTime() - started));
    results.write();
    System.out.println();
    System.out.println(results.markdown());
    System.out.printf("Written to %s (%.1f min)%n", settings.output().toAbsolutePath(),
        (System.nanoTime() - started) / 60e9);
    System.exit(0);
  }

  private void runEngine(String engineId) {
    long engineStarted = System.nanoTime();
    Target target;
    try {
      target = Target.create(engineId, settings);
    } catch (RuntimeException | LinkageError e) {
      skip(engineId, engineId, "cannot be set up: " + e);
      return;
    }
    try (target) {
      System.out.printf("%n== %s: starting the local engine...%n", target.name());
      try {
        target.start();
      } catch (RuntimeException | LinkageError e) {
        skip(engineId, target.name(), "did not start: " + e.getMessage());
        return;
      }
      System.out.printf("   up in %.1f s (engine JVM %s); instances prepared by %s%n", seconds(engineStarted),
          Machine.childCommands(), target.preparation());
      List<Client> clients = new ArrayList<>();
      for (Client c : target.clients()) {
        if (settings.clients().contains(c.kind().id)) {
          clients.add(c);
        }
      }
      results.engine(target.id(), target.name(), clients, target.preparation(), seconds(engineStarted));
      warmUp(target, clients);
      for (int rep = 1; rep <= settings.repetitions(); rep++) {
        if (rep > 1 && target.restartEachRepetition()) {
          long restarting = System.nanoTime();
          awaitClosed();
          try {
            target.restart();
          } catch (RuntimeException e) {
            results.note(target.id(), "restart before repetition " + rep + " failed, repetitions stop here: " + e);
            System.out.println("   restart failed: " + e);
            break;
          }
          System.out.printf("   restarted the engine for repetition %d (fresh state) in %.1f s%n", rep,
              seconds(restarting));
          warmUp(target, clients);
        }
        for (Variant variant : settings.variants()) {
          for (int i = 0; i < clients.size(); i++) {
            Client c = clients.get((i + rep - 1) % clients.size());
            try {
              RunRow row = throughput(target, c, variant, settings.instances(), rep);
              results.add(row);
              System.out.printf("   rep %d %-8s %-10s %7.1f jobs/s%s  cpu %5.2f s  engine cpu %5.2f s  heap %4d MB"
                      + "  alloc %.1f kB/job  fetches %d (%.1f jobs, %.1f ms each)%n",
                  rep, variant.id(), c.kind().id, row.jobsPerSecond(),
                  row.complete() ? "" : " (cut at " + settings.runTimeout().toSeconds() + " s: "
                      + row.completed() + "/" + row.instances() + ")",
                  row.cpuSeconds(), row.engineCpuSeconds(), row.peakHeapBytes() >> 20,
                  row.allocatedKbPerJob(), row.fetches(),
                  row.jobsPerFetch(), row.fetchMillis());
            } catch (Exception e) {
              results.note(target.id(), "rep " + rep + " " + variant.id() + " " + c.kind().id + " failed: " + e);
              System.out.println("   run failed for " + c.label() + ": " + e);
            }
          }
        }
      }
      for (int round = 1; round <= settings.latencyRounds(); round++) {
        for (Client c : clients) {
          try {
            LatencyRow row = latency(target, c, round);
            results.add(row);
            System.out.printf("   latency %-10s p50 %7.1f ms  p99 %7.1f ms  (%d/%d samples)  idle %.2f fetches/s%n",
                c.kind().id, row.p50Millis(), row.p99Millis(), row.samples() - row.missing(), row.samples(),
                row.idleFetchesPerSecond());
          } catch (Exception e) {
            results.note(target.id(), c.kind().id + " latency phase failed: " + e);
            System.out.println("   latency phase failed for " + c.label() + ": " + e);
          }
        }
      }
      awaitClosed();
      System.out.printf("   %s done in %.1f s%n", target.name(), seconds(engineStarted));
    }
  }

  /** Drains {@code warmup} zero-work jobs with each client; nothing is recorded. */
  private void warmUp(Target target, List<Client> clients) {
    if (settings.warmup() == 0) {
      return;
    }
    for (Client c : clients) {
      try {
        RunRow warm = throughput(target, c, Variant.ZERO, settings.warmup(), 0);
        System.out.printf("   warm-up  %-10s %7.1f jobs/s%n", c.kind().id, warm.jobsPerSecond());
      } catch (Exception e) {
        results.note(target.id(), c.kind().id + " warm-up failed: " + e);
        System.out.println("   warm-up failed for " + c.label() + ": " + e);
      }
    }
  }

  private void skip(String id, String name, String why) {
    System.out.println("   SKIPPED " + name + ": " + why);
    results.skipped(id, name, why);
  }

  /** Drains {@code count} fresh instances with one client; the clock runs from open to last completion. */
  private RunRow throughput(Target target, Client client, Variant variant, int count, int rep) throws Exception {
    String key = processKey(target, client, variant.id() + "-r" + rep);
    target.deploy(key, key);
    double createRate = target.startInstances(key, count, settings.createConcurrency(), CREATE_TIMEOUT);
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    Probe probe = new Probe(count, false);
    Client.Opening opening = client.prepare(key, variant, probe); // outside the clock and the meter
    meter.begin();
    long opened = System.nanoTime();
    Client.Running running = opening.open();
    boolean complete;
    long end;
    int completed;
    long errors;
    Meter.Usage usage;
    try {
      complete = probe.awaitTarget(settings.runTimeout());
      end = complete ? probe.lastCompletionNanos() : System.nanoTime();
      completed = complete ? count : probe.completedCount();
      errors = probe.errorCount();
      usage = meter.end();
    } finally {
      closeInBackground(client, running);
    }
    double elapsed = (end - opened) / 1e9;
    return new RunRow(target.id(), client.kind(), client.label(), variant, rep, count, completed, complete,
        elapsed, completed / elapsed, usage.cpuSeconds(), usage.engineCpuSeconds(), usage.peakHeapBytes(),
        usage.allocatedBytes(), errors, probe.fetchCount(), probe.jobsPerFetch(), probe.fetchMillis(), createRate, load);
  }

  /**
   * Opens a client on an empty topic, counts its fetches while idle, then creates instances one at
   * a time (100-300 ms apart, random so that no poll interval lines up) and records how long after
   * the creating request was sent each handler started.
   */
  private LatencyRow latency(Target target, Client client, int round) throws Exception {
    String key = processKey(target, client, "latency-r" + round);
    target.deploy(key, key);
    int samples = settings.latencySamples();
    Probe probe = new Probe(samples, true);
    awaitClosed(); // nothing else may fetch or burn CPU while this client idles
    Client.Opening opening = client.prepare(key, Variant.ZERO, probe);
    meter.begin();
    long opened = System.nanoTime();
    Client.Running running = opening.open();
    Map<String, Long> sent = new ConcurrentHashMap<>();
    long idleFetches;
    double idleSeconds;
    Meter.Usage idleUsage;
    try {
      Thread.sleep(settings.idle().toMillis());
      idleFetches = probe.fetchCount();
      idleSeconds = (System.nanoTime() - opened) / 1e9;
      idleUsage = meter.end();
      for (int i = 0; i < samples; i++) {
        long t0 = System.nanoTime();
        sent.put(target.startInstance(key), t0);
        Thread.sleep(100 + ThreadLocalRandom.current().nextInt(200));
      }
      probe.awaitTarget(settings.latencyTimeout());
    } finally {
      closeInBackground(client, running);
    }
    List<Double> latencies = new ArrayList<>();
    for (Map.Entry<String, Long> e : sent.entrySet()) {
      Long start = probe.startOf(e.getKey());
      if (start != null) {
        latencies.add((start - e.getValue()) / 1e6);
      }
    }
    return new LatencyRow(target.id(), client.kind(), client.label(), round, samples,
        samples - latencies.size(), latencies, idleFetches, idleSeconds, idleUsage.cpuSeconds(),
        client.fetchCounting());
  }

  private static String processKey(Target target, Client client, String what) {
    return "bench-" + target.id() + "-" + client.kind().id + "-" + what + "-" + SEQUENCE.incrementAndGet();
  }

  /**
   * Closes a client on a thread of its own. Polyworker's close() waits for a long poll in flight (up
   * to its long-poll timeout) so that the engine locks no job for a closed worker; that wait costs no
   * CPU and the next run uses another topic, so the next run need not wait for it. Engine restarts,
   * the engine's end and the idle/latency phase wait for every close ({@link #awaitClosed()}).
   */
  private void closeInBackground(Client client, Client.Running running) {
    Thread closer = new Thread(() -> {
      try {
        running.close();
      } catch (Exception e) {
        System.out.println("   closing " + client.label() + " failed: " + e);
      }
    }, "bench-closer-" + client.kind().id);
    closer.setDaemon(true);
    closer.start();
    closing.add(closer);
  }

  /** Waits for clients closing in the background, giving up (and saying so) after {@link #CLOSE_TIMEOUT}. */
  private void awaitClosed() {
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    for (Thread closer : closing) {
      try {
        closer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (closer.isAlive()) {
        System.out.println("   " + closer.getName() + " did not close within " + CLOSE_TIMEOUT.toSeconds()
            + " s; left behind");
      }
    }
    closing.clear();
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
