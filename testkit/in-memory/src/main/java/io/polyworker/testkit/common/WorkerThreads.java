package io.polyworker.testkit.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The live threads of Polyworker in this JVM, virtual threads included, for leak checks after
 * {@code close()}.
 *
 * <p>A thread is Polyworker's when its name starts with {@value #PREFIX}: the runtime's pollers
 * ({@code polyworker-poller-<topic>}), lock extenders ({@code polyworker-lock-extender-<n>}),
 * handler threads ({@code polyworker-<topic>-<n>}, virtual on Java 21+), any reporting or
 * releasing threads it adds, and the engine clients' own threads (for instance
 * {@code polyworker-<engine>-messages}, which lives as long as its {@code Engine}).
 *
 * <p>{@link Thread#getAllStackTraces()} lists platform threads only. On Java 21+ the virtual ones
 * are read from a JSON thread dump ({@code HotSpotDiagnosticMXBean.dumpThreads}), which lists
 * every thread the JDK tracks: threads started by an executor or a thread factory, as the
 * runtime's are (and, unless {@code -Djdk.trackAllThreads=false}, those started directly).
 *
 * <p>The usual check compares with a snapshot taken before the worker was built, so that threads
 * of other tests and of the shared engines do not count:
 *
 * <pre>{@code
 * WorkerThreads before = WorkerThreads.snapshot();
 * JobWorker worker = ...start();
 * ...
 * worker.close();
 * before.awaitNoNewThreads(Duration.ofSeconds(10)); // AssertionError naming each thread left, with its stack
 * }</pre>
 *
 * <p>Thread-safe; every call takes a fresh look (a thread dump costs a few milliseconds).
 */
public final class WorkerThreads {

  /** The name prefix of every Polyworker thread: {@value}. */
  public static final String PREFIX = "polyworker-";

  private static final Duration POLL = Duration.ofMillis(50);
  private static final int FRAMES_SHOWN = 12;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One live Polyworker thread.
   *
   * @param id the thread id ({@code Thread.getId()}, never reused in a JVM)
   * @param name its name
   * @param virtual whether it is a virtual thread
   * @param stack its stack, innermost frame first (may be empty)
   */
  public record LiveThread(long id, String name, boolean virtual, List<String> stack) {
    public LiveThread {
      stack = List.copyOf(stack);
    }

    @Override
    public String toString() {
      return name + " (" + (virtual ? "virtual" : "platform") + ", #" + id + ")";
    }

    /** This thread and its stack, a frame a line. */
    public String describe() {
      StringBuilder text = new StringBuilder(toString());
      stack.stream().limit(FRAMES_SHOWN).forEach(frame -> text.append("\n\tat ").append(frame));
      if (stack.size() > FRAMES_SHOWN) {
        text.append("\n\t... ").append(stack.size() - FRAMES_SHOWN).append(" more");
      }
      return text.toString();
    }
  }

  private final Set<Long> ids;
  private final List<LiveThread> threads;

  private WorkerThreads(List<LiveThread> threads) {
    this.threads = List.copyOf(threads);
    this.ids = threads.stream().map(LiveThread::id).collect(Collectors.toUnmodifiableSet());
  }

  /**
   * The Polyworker threads alive now, platform and virtual, to compare with later through
   * {@link #newThreads()} and {@link #awaitNoNewThreads(Duration)}.
   *
   * @throws IllegalStateException on Java 21+ if this JVM cannot dump its threads (then virtual
   *     threads would go unseen)
   */
  public static WorkerThreads snapshot() {
    return new WorkerThreads(live());
  }

  /** The threads of this snapshot. */
  public List<LiveThread> threads() {
    return threads;
  }

  /** The Polyworker threads alive now that were not alive when this snapshot was taken. */
  public List<LiveThread> newThreads() {
    return live().stream().filter(t -> !ids.contains(t.id())).toList();
  }

  /**
   * Waits until every Polyworker thread started since this snapshot has ended.
   *
   * @throws AssertionError if some are still alive after {@code within}; it names each of them,
   *     platform or virtual, with its stack
   */
  public void awaitNoNewThreads(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    List<LiveThread> left = newThreads();
    while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for Polyworker threads to end: " + left, e);
      }
      left = newThreads();
    }
    if (!left.isEmpty()) {
      throw new AssertionError(left.size() + " Polyworker thread(s) still alive " + within.toMillis()
          + " ms later (started since the snapshot; virtual threads "
          + (virtualThreadsVisible() ? "included" : "do not exist on this JVM") + "):\n"
          + left.stream().map(LiveThread::describe).collect(Collectors.joining("\n")));
    }
  }

  /**
   * Every Polyworker thread alive now, platform and virtual.
   *
   * @throws IllegalStateException on Java 21+ if this JVM cannot dump its threads
   */
  public static List<LiveThread> live() {
    Map<Long, LiveThread> found = new LinkedHashMap<>();
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      if (thread.isAlive() && thread.getName().startsWith(PREFIX)) {
        found.put(thread.getId(), new LiveThread(thread.getId(), thread.getName(), false,
            Arrays.stream(stack).map(StackTraceElement::toString).toList()));
      }
    });
    if (virtualThreadsVisible()) {
      Set<Long> platform = Set.copyOf(found.keySet());
      for (LiveThread t : dumpedThreads(platform)) {
        // The dump lists platform threads too: those already found keep their Thread-based entry.
        found.putIfAbsent(t.id(), t);
      }
    }
    return List.copyOf(found.values());
  }

  /**
   * Whether this JVM has virtual threads, so that {@link #live()} reads them from a thread dump:
   * true from Java 21 on, false before (where every thread is a platform thread).
   */
  public static boolean virtualThreadsVisible() {
    return Runtime.version().feature() >= 21;
  }

  /**
   * The Polyworker threads of a JSON thread dump of this JVM (Java 21+); {@code platform} are the
   * ids of the platform threads seen just before.
   */
  private static List<LiveThread> dumpedThreads(Set<Long> platform) {
    Path directory = null;
    try {
      directory = Files.createTempDirectory("polyworker-threads");
      Path file = directory.resolve("threads.json");
      dumpThreads(file);
      JsonNode dump = JSON.readTree(file.toFile());
      List<LiveThread> result = new ArrayList<>();
      for (JsonNode container : dump.path("threadDump").path("threadContainers")) {
        for (JsonNode thread : container.path("threads")) {
          String name = thread.path("name").asText("");
          if (!name.startsWith(PREFIX)) {
            continue;
          }
          List<String> stack = new ArrayList<>();
          thread.path("stack").forEach(frame -> stack.add(frame.asText()));
          long id = Long.parseLong(thread.path("tid").asText());
          // Newer dumps mark virtual threads with "virtual": true; Java 21's have no such field,
          // and there a thread that Thread.getAllStackTraces() did not list is a virtual one.
          boolean virtual = thread.has("virtual") ? thread.path("virtual").asBoolean() : !platform.contains(id);
          result.add(new LiveThread(id, name, virtual, stack));
        }
      }
      return result;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("Cannot list the virtual threads of this JVM (Java "
          + Runtime.version() + ") through a thread dump: " + e, e);
    } finally {
      if (directory != null) {
        try {
          Files.deleteIfExists(directory.resolve("threads.json"));
          Files.deleteIfExists(directory);
        } catch (IOException ignored) {
          // a temporary file left behind
        }
      }
    }
  }

  /** {@code HotSpotDiagnosticMXBean.dumpThreads(file, ThreadDumpFormat.JSON)}, found reflectively (Java 21+). */
  private static void dumpThreads(Path file) throws IOException {
    try {
      Class<?> format = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
      Object json = format.getField("JSON").get(null);
      Method dump = HotSpotDiagnosticMXBean.class.getMethod("dumpThreads", String.class, format);
      dump.invoke(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class),
          file.toAbsolutePath().toString(), json);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("no HotSpotDiagnosticMXBean.dumpThreads: " + e, e);
    }
  }
}
