package io.polyworker.reliability.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A worker main class of this module run in a JVM of its own (the current {@code java}, this test
 * class path), speaking a line protocol: it prints {@code READY}, stops on {@code STOP}, prints
 * {@code DONE}. Its standard error goes to a log file under {@code target/}.
 */
public final class ChildWorker implements AutoCloseable {
  private final Process process;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final Path log;
  private final Thread reader;

  public ChildWorker(String name, Class<?> mainClass, Map<String, String> systemProperties, List<String> args) {
    try {
      Path dir = Files.createDirectories(Path.of("target", "child-workers"));
      log = dir.resolve(name + ".log");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx256m");
      command.add("-XX:+UseSerialGC");
      command.add("-XX:TieredStopAtLevel=1");
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
      command.add(mainClass.getName());
      command.addAll(args);
      process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start child worker " + name, e);
    }
    reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.equals("READY")) {
            ready.complete(null);
          } else if (line.equals("DONE")) {
            done.complete(null);
          }
        }
      } catch (IOException e) {
        // the child went away
      } finally {
        ready.completeExceptionally(new IllegalStateException("child exited before READY; see " + log));
        done.completeExceptionally(new IllegalStateException("child exited before DONE; see " + log));
      }
    }, "child-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Standard system properties for a child: quiet logging. */
  public static Map<String, String> quietLogging(Map<String, String> more) {
    Map<String, String> props = new HashMap<>(more);
    props.put("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    props.put("org.slf4j.simpleLogger.log.io.polyworker.worker", "info");
    return props;
  }

  public void awaitReady(long seconds) throws Exception {
    ready.get(seconds, TimeUnit.SECONDS);
  }

  /** Asks the child to close its worker gracefully and waits for it to exit with 0. */
  public void stop(long seconds) throws Exception {
    OutputStream in = process.getOutputStream();
    in.write("STOP\n".getBytes(StandardCharsets.UTF_8));
    in.flush();
    done.get(seconds, TimeUnit.SECONDS);
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException("child did not exit; see " + log);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException("child exited with " + process.exitValue() + "; see " + log);
    }
  }

  public Path log() {
    return log;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    reader.join(5_000);
  }
}
