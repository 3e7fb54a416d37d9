package io.polyworker.benchmarks;

import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.worker.JobWorker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * What the Spring Boot starter adds to an application's start-up. Starts one local Camunda 7, then
 * starts {@link StarterApp} (one {@code @JobSubscription} bean, long poll 1 s) in a fresh child JVM
 * per run, alternately with the starter and with the starter's auto-configurations excluded
 * ({@code spring.autoconfigure.exclude} of every {@code io.polyworker.spring.autoconfigure} class
 * the starter lists), in the order with-without, without-with, ... after one discarded pair. Each
 * child reports how long {@code SpringApplication.run()} took and the JVM's uptime when the
 * application was ready. With the starter, both include creating the engine client, scanning the
 * beans for handlers, building the worker and starting it (its first fetch is under way, not
 * answered), and loading the classes all that needs. Prints and writes the medians and their difference.
 *
 * <p>Arguments: {@code --runs=5} (runs per case), {@code --warmup=1} (discarded pairs),
 * {@code --output=results}. Run it with
 * {@code mvn -B -q -pl benchmarks exec:exec -Dbench.main=io.polyworker.benchmarks.StarterStartup -Dbench.args="--runs=5"}.
 */
public final class StarterStartup {
  private static final String CHILD = "--child=";
  private static final String PREFIX = "startup-result ";
  private static final long CHILD_TIMEOUT_SECONDS = 120;

  /** One child's figures. */
  record Run(int index, boolean withStarter, double runMillis, long uptimeMillis) {}

  private StarterStartup() {}

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    Map<String, String> options = options(args);
    if (options.containsKey("child")) {
      child(options.get("child").equals("with"), options.get("url"));
      return;
    }
    int runs = Integer.parseInt(options.getOrDefault("runs", "5"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "1"));
    Path output = Path.of(options.getOrDefault("output", "results"));
    Machine machine = Machine.describe();
    System.out.println("Starter start-up: " + runs + " runs with and " + runs + " without the starter, "
        + warmup + " discarded pair(s) first; each in a fresh JVM");
    System.out.println(machine.summary());
    List<Run> kept = new ArrayList<>();
    try (LocalCamunda camunda = LocalCamunda.create()) {
      camunda.start();
      for (int pair = 0; pair < warmup + runs; pair++) {
        boolean withFirst = pair % 2 == 0;
        for (boolean with : new boolean[] {withFirst, !withFirst}) {
          Run run = spawn(pair - warmup + 1, with, camunda.restUrl());
          System.out.printf("   %s %-15s run() %7.1f ms   JVM uptime at ready %5d ms%n",
              pair < warmup ? "warm-up" : "run " + run.index(), with ? "with starter" : "without starter",
              run.runMillis(), run.uptimeMillis());
          if (pair >= warmup) {
            kept.add(run);
          }
        }
      }
      camunda.kill();
    }
    String report = report(kept, runs, warmup, machine);
    System.out.println();
    System.out.println(report);
    write(output, kept, report);
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      for (String word : arg.trim().split("\\s+")) {
        if (word.isEmpty()) {
          continue;
        }
        String w = word.startsWith("--") ? word.substring(2) : word;
        if (!w.contains("=")) {
          throw new IllegalArgumentException("unexpected argument '" + word + "' (use --runs=N --warmup=N --output=DIR)");
        }
        options.put(w.substring(0, w.indexOf('=')), w.substring(w.indexOf('=') + 1));
      }
    }
    return options;
  }

  /** Starts this class as a child on the same Java, JVM options and class path; reads its result line. */
  private static Run spawn(int index, boolean with, String url) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent")).forEach(command::add);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(StarterStartup.class.getName());
    command.add(CHILD + (with ? "with" : "without"));
    command.add("--url=" + url);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String result = null;
    List<String> output = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith(PREFIX)) {
          result = line.substring(PREFIX.length());
        } else {
          output.add(line);
        }
      }
    }
    if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    if (result == null) {
      throw new IllegalStateException("child (" + (with ? "with" : "without") + " the starter) gave no result, exit "
          + process.exitValue() + ":\n" + String.join("\n", output));
    }
    Map<String, String> values = options(new String[] {result});
    return new Run(index, with, Double.parseDouble(values.get("run_ms")), Long.parseLong(values.get("uptime_ms")));
  }

  /** The child: starts the application once, reports, closes it. */
  private static void child(boolean withStarter, String url) {
    Map<String, Object> properties = new HashMap<>();
    properties.put("bench.topic", "starter-startup");
    properties.put("polyworker.engine", "camunda");
    properties.put("polyworker.url", url);
    properties.put("polyworker.worker.long-poll-timeout", "1s");
    if (!withStarter) {
      properties.put("spring.autoconfigure.exclude", String.join(",", starterAutoConfigurations()));
    }
    AtomicLong readyUptime = new AtomicLong(-1);
    long started = System.nanoTime();
    ConfigurableApplicationContext context = StarterApp.builder(properties)
        .initializers(ctx -> ((GenericApplicationContext) ctx).registerBean("benchHandler", StarterApp.Handler.class,
            () -> new StarterApp.Handler(new Probe(1, false), Variant.ZERO)))
        .listeners(event -> {
          if (event instanceof ApplicationReadyEvent) {
            readyUptime.set(ManagementFactory.getRuntimeMXBean().getUptime());
          }
        })
        .run();
    double runMillis = (System.nanoTime() - started) / 1e6;
    try (context) {
      JobWorker worker = context.getBeanProvider(JobWorker.class).getIfAvailable();
      if (withStarter != (worker != null && worker.isRunning())) {
        throw new IllegalStateException("expected " + (withStarter ? "a running worker" : "no worker") + ", found " + worker);
      }
      System.out.printf("%srun_ms=%.3f uptime_ms=%d%n", PREFIX, runMillis, readyUptime.get());
      System.out.flush();
    }
    System.exit(0);
  }

  /** The starter's auto-configurations, as its imports file lists them. */
  static List<String> starterAutoConfigurations() {
    List<String> names = new ArrayList<>();
    ImportCandidates.load(AutoConfiguration.class, StarterStartup.class.getClassLoader())
        .forEach(name -> {
          if (name.startsWith("io.polyworker.spring.autoconfigure.")) {
            names.add(name);
          }
        });
    if (names.isEmpty()) {
      throw new IllegalStateException("the starter lists no auto-configuration: is it on the class path?");
    }
    return names;
  }

  private static String report(List<Run> runs, int perCase, int warmup, Machine machine) {
    List<Double> withRun = values(runs, true, Run::runMillis);
    List<Double> withoutRun = values(runs, false, Run::runMillis);
    List<Double> withUp = values(runs, true, Run::uptimeMillis);
    List<Double> withoutUp = values(runs, false, Run::uptimeMillis);
    StringBuilder md = new StringBuilder("# Spring Boot starter start-up\n\n");
    md.append("Run of ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
        .substring(0, 19)).append(" UTC. ").append(machine.summary()).append(".\n\n");
    md.append("The application: StarterApp (non-web, banner off) with one `@JobSubscription` bean; engine: a local ")
        .append("Camunda 7 (testkit LocalCamunda), long poll 1 s. ").append(perCase).append(" runs per case, each in a ")
        .append("fresh JVM, alternating (with-without, without-with, ...) after ").append(warmup)
        .append(" discarded pair(s). *With*: the starter's auto-configurations on, so the time includes creating ")
        .append("the engine client, the handler scan, building the worker and starting it (first fetch sent), ")
        .append("and the class loading they need. *Without*: `spring.autoconfigure.exclude` of ")
        .append(starterAutoConfigurations().stream().map(n -> n.substring(n.lastIndexOf('.') + 1))
            .collect(Collectors.joining(", ")))
        .append(" (the bean is there, nothing subscribes it).\n\n");
    md.append("| | median with | median without | difference | ratio |\n|---|---:|---:|---:|---:|\n");
    row(md, "`SpringApplication.run()` ms", withRun, withoutRun);
    row(md, "JVM uptime at ApplicationReadyEvent ms", withUp, withoutUp);
    md.append("\n| run | with: run() ms | with: uptime ms | without: run() ms | without: uptime ms |\n")
        .append("|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < withRun.size() && i < withoutRun.size(); i++) {
      md.append(String.format("| %d | %.1f | %.0f | %.1f | %.0f |%n", i + 1, withRun.get(i), withUp.get(i),
          withoutRun.get(i), withoutUp.get(i)));
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String what, List<Double> with, List<Double> without) {
    double w = Stats.median(with);
    double wo = Stats.median(without);
    md.append(String.format("| %s | %.1f | %.1f | %+.1f | %.2f× |%n", what, w, wo, w - wo, w / wo));
  }

  private static List<Double> values(List<Run> runs, boolean with, ToDoubleFunction<Run> f) {
    return runs.stream().filter(r -> r.withStarter() == with).map(f::applyAsDouble).toList();
  }

  private static void write(Path dir, List<Run> runs, String report) {
    String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    StringBuilder csv = new StringBuilder("run,starter,run_ms,uptime_at_ready_ms\n");
    runs.forEach(r -> csv.append(String.format("%d,%s,%.3f,%d%n", r.index(), r.withStarter() ? "with" : "without",
        r.runMillis(), r.uptimeMillis())));
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("startup-" + stamp + ".md"), report);
      Files.writeString(dir.resolve("startup-" + stamp + ".csv"), csv.toString());
      System.out.println("Written to " + dir.toAbsolutePath().resolve("startup-" + stamp + ".md|.csv"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
