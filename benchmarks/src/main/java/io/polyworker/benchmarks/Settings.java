package io.polyworker.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The harness's settings, from {@code --name=value} arguments ({@code name=value} works too; also as one
 * whitespace-separated string, which is how {@code -Dbench.args} arrives). The defaults keep a run
 * of all three engines under 15 minutes on a shared 2-core machine (BENCHMARKS.md: why 800 instances
 * and not more).
 */
record Settings(
    List<String> engines,
    List<String> clients,
    List<Variant> variants,
    int instances,
    int repetitions,
    int warmup,
    Duration runTimeout,
    int latencySamples,
    int latencyRounds,
    Duration latencyTimeout,
    Duration idle,
    int createConcurrency,
    int rawBatch,
    Path output,
    boolean chart) {

  static final String USAGE = String.join("\n",
      "Arguments (all optional; the leading -- may be left out), e.g. -Dbench.args=\"--engines=camunda --instances=2000\":",
      "  --engines=camunda,flowable,zeebe   engines to run, one after the other",
      "  --clients=polyworker,adaptive,official,raw  clients to compare on each engine (adaptive: Polyworker",
      "                                     with maxConcurrentJobs(Concurrency.adaptive(32, 256)); also: observed,",
      "                                     Polyworker with its Micrometer and OpenTelemetry bindings on;",
      "                                     annotated, a @JobSubscription method through the Spring Boot starter)",
      "  --handlers=zero,sleep50            handler variants (sleepN: Thread.sleep(N ms))",
      "  --instances=800                    process instances (one external task each) per measured run",
      "  --repetitions=3                    measured runs per engine, client and handler (medians reported)",
      "  --warmup=1000                      zero-work jobs per client before the measured runs (and after each engine restart)",
      "  --run-timeout=10                   seconds a run may take before it is cut and its rate reported as is",
      "  --latency-samples=30               instances created one at a time for the latency phase",
      "  --latency-rounds=1                 latency/idle phases per client (samples are pooled)",
      "  --latency-timeout=40               seconds to wait for the last latency sample",
      "  --idle=5                           seconds an open worker is left idle while its fetches are counted",
      "  --create-concurrency=8             threads creating instances before a run",
      "  --raw-batch=32                     jobs fetched and run at once by the raw loop",
      "  --output=results                   where the Markdown, CSV and PNG files go",
      "  --chart=true                       write a PNG chart");

  static Settings parse(String[] args) {
    Map<String, String> values = new LinkedHashMap<>();
    List<String> words = new ArrayList<>();
    for (String arg : args) {
      words.addAll(Arrays.asList(arg.trim().split("\\s+")));
    }
    for (String word : words) {
      if (word.isEmpty()) {
        continue;
      }
      if (word.equals("--help") || word.equals("-h")) {
        throw new IllegalArgumentException("help");
      }
      String arg = word.startsWith("--") ? word.substring(2) : word;
      if (!arg.contains("=")) {
        throw new IllegalArgumentException("unexpected argument '" + word + "'");
      }
      values.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    Settings s = new Settings(
        list(values.remove("engines"), "camunda,flowable,zeebe", List.of("camunda", "flowable", "zeebe")),
        list(values.remove("clients"), "polyworker,adaptive,official,raw",
            List.of("polyworker", "observed", "annotated", "adaptive", "official", "raw")),
        variants(values.getOrDefault("handlers", "zero,sleep50")),
        positive(values.remove("instances"), 800, "instances"),
        positive(values.remove("repetitions"), 3, "repetitions"),
        notNegative(values.remove("warmup"), 1000, "warmup"),
        Duration.ofSeconds(positive(values.remove("run-timeout"), 10, "run-timeout")),
        positive(values.remove("latency-samples"), 30, "latency-samples"),
        notNegative(values.remove("latency-rounds"), 1, "latency-rounds"),
        Duration.ofSeconds(positive(values.remove("latency-timeout"), 40, "latency-timeout")),
        Duration.ofSeconds(notNegative(values.remove("idle"), 5, "idle")),
        positive(values.remove("create-concurrency"), 8, "create-concurrency"),
        positive(values.remove("raw-batch"), 32, "raw-batch"),
        Path.of(values.getOrDefault("output", "results")),
        Boolean.parseBoolean(values.getOrDefault("chart", "true")));
    values.remove("handlers");
    values.remove("output");
    values.remove("chart");
    if (!values.isEmpty()) {
      throw new IllegalArgumentException("unknown argument(s) " + values.keySet());
    }
    return s;
  }

  private static List<String> list(String value, String fallback, List<String> allowed) {
    List<String> items = new ArrayList<>();
    for (String item : (value == null ? fallback : value).split(",")) {
      String v = item.trim().toLowerCase(Locale.ROOT);
      if (v.isEmpty()) {
        continue;
      }
      if (!allowed.contains(v)) {
        throw new IllegalArgumentException("'" + v + "' is not one of " + allowed);
      }
      items.add(v);
    }
    if (items.isEmpty()) {
      throw new IllegalArgumentException("empty list: " + value);
    }
    return List.copyOf(items);
  }

  private static List<Variant> variants(String value) {
    List<Variant> variants = new ArrayList<>();
    for (String item : value.split(",")) {
      String v = item.trim().toLowerCase(Locale.ROOT);
      if (v.equals("zero")) {
        variants.add(Variant.ZERO);
      } else if (v.startsWith("sleep")) {
        variants.add(Variant.sleep(Integer.parseInt(v.substring("sleep".length()))));
      } else if (!v.isEmpty()) {
        throw new IllegalArgumentException("handler '" + v + "': use zero or sleepN");
      }
    }
    if (variants.isEmpty()) {
      throw new IllegalArgumentException("no handler variant");
    }
    return List.copyOf(variants);
  }

  private static int positive(String value, int fallback, String name) {
    int v = value == null ? fallback : Integer.parseInt(value.trim());
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be > 0: " + v);
    }
    return v;
  }

  private static int notNegative(String value, int fallback, String name) {
    int v = value == null ? fallback : Integer.parseInt(value.trim());
    if (v < 0) {
      throw new IllegalArgumentException(name + " must be >= 0: " + v);
    }
    return v;
  }

  String describe() {
    return "engines=" + engines + " clients=" + clients + " handlers=" + variants.stream().map(Variant::id).toList()
        + " instances=" + instances + " repetitions=" + repetitions + " warmup=" + warmup
        + " run-timeout=" + runTimeout.toSeconds() + "s latency-samples=" + latencySamples
        + " latency-rounds=" + latencyRounds + " idle=" + idle.toSeconds() + "s raw-batch=" + rawBatch;
  }
}
