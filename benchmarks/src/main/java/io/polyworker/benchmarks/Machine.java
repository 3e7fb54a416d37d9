package io.polyworker.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import io.polyworker.testkit.engines.JavaRuntimes;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * What the figures were measured on: cores, memory, CPU model, the JVMs of the workers and the
 * engines, and the load when the run began (the machine may be shared).
 */
record Machine(int cores, long memoryBytes, String cpu, String os, String workerJvm, String engineJvm,
    String zeebeJvm, String heap, boolean virtualThreads, double loadAtStart) {

  static Machine describe() {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        os.getTotalMemorySize(),
        cpuModel(),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        describeJava(() -> JavaRuntimes.current().toString()),
        describeJava(() -> JavaRuntimes.findJava(21).toString()),
        Meter.heapSettings(),
        Runtime.version().feature() >= 21,
        os.getSystemLoadAverage());
  }

  String summary() {
    return String.format("Machine: %d cores (%s), %.1f GiB memory, %s; worker JVM %s (%s, %s); "
            + "Camunda/Flowable JVM %s; Zeebe JVM %s; load average at start %.2f",
        cores, cpu, memoryBytes / (double) (1L << 30), os, workerJvm, heap,
        virtualThreads ? "virtual threads available" : "no virtual threads: Polyworker uses a platform-thread pool",
        engineJvm, zeebeJvm, loadAtStart);
  }

  /** The executables of this JVM's child processes (the running engine). */
  static String childCommands() {
    return ProcessHandle.current().children()
        .map(p -> p.pid() + " " + p.info().command().orElse("?"))
        .collect(Collectors.joining(", "));
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst().orElse("unknown CPU");
    } catch (IOException | RuntimeException e) {
      return "unknown CPU";
    }
  }

  private interface PathSupplier {
    String get();
  }

  private static String describeJava(PathSupplier java) {
    try {
      String path = java.get();
      Process p = new ProcessBuilder(path, "-version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      String first = out.lines().filter(l -> l.contains("Runtime Environment") || l.contains("version"))
          .reduce((a, b) -> b).orElse(out.lines().findFirst().orElse(""));
      return path + " (" + first.trim() + ")";
    } catch (Exception | LinkageError e) {
      return "not found (" + e.getMessage() + ")";
    }
  }
}
