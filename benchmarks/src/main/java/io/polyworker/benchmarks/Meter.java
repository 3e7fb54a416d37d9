package io.polyworker.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Resources used during one measured window.
 *
 * <ul>
 *   <li>Worker CPU: the CPU time of this whole JVM ({@link OperatingSystemMXBean#getProcessCpuTime()}),
 *       all threads, GC and JIT included. The engine runs in a child JVM and instances are created
 *       before the window opens, so inside the window this JVM runs only the client under test (plus
 *       this meter's sampler, the same for every client).</li>
 *   <li>Engine CPU: the CPU time of this JVM's child processes (the local engine), from
 *       {@link ProcessHandle.Info#totalCpuDuration()}.</li>
 *   <li>Allocation: the bytes this JVM allocated on the heap in the window, all threads
 *       ({@link com.sun.management.ThreadMXBean#getTotalThreadAllocatedBytes()}; virtual threads'
 *       allocations count to their carriers). The meter's own sampler is counted too: next to
 *       nothing, and the same for every client.</li>
 *   <li>Peak heap: the highest heap use seen, from a sampler every 10 ms and from every GC's
 *       "before" figures (which catch the peaks between samples). Heap pools are reset with GC hints
 *       before each window.</li>
 * </ul>
 */
final class Meter implements AutoCloseable {
  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP)
      .map(MemoryPoolMXBean::getName)
      .collect(Collectors.toSet());
  private final AtomicLong peak = new AtomicLong();
  private final Thread sampler;
  private volatile boolean armed;
  private volatile boolean closed;
  private long cpuStart;
  private long engineCpuStart;
  private long allocatedStart;

  Meter() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener((notification, handback) -> {
          if (armed && GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
              .equals(notification.getType())) {
            GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            record(heapUsed(info.getGcInfo().getMemoryUsageBeforeGc()));
          }
        }, null, null);
      }
    }
    sampler = new Thread(this::sample, "bench-heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** GC hints, then opens a window. */
  void begin() {
    settleHeap();
    peak.set(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    armed = true;
    cpuStart = OS.getProcessCpuTime();
    engineCpuStart = engineCpuNanos();
    allocatedStart = allocatedBytes();
  }

  /** Closes the window. */
  Usage end() {
    long cpu = OS.getProcessCpuTime() - cpuStart;
    long engineCpu = engineCpuNanos() - engineCpuStart;
    long allocated = allocatedBytes() - allocatedStart;
    armed = false;
    record(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    return new Usage(cpu / 1e9, engineCpu / 1e9, peak.get(), allocatedStart < 0 ? -1 : allocated);
  }

  /** Asks for a full collection (twice, a hint) so that a window starts from the live set. */
  static void settleHeap() {
    for (int i = 0; i < 2; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Waits, up to {@code max}, until this JVM has used less than a tenth of a core in each of two
   * 250 ms slices in a row: for work a client set up before the clock that leaves the JIT compiling
   * behind it (a Spring context's refresh does, for one to three seconds). Returns how long it waited.
   */
  static Duration awaitQuiet(Duration max) throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + max.toNanos();
    int quiet = 0;
    while (quiet < 2 && System.nanoTime() < deadline) {
      long cpu = OS.getProcessCpuTime();
      Thread.sleep(250);
      quiet = OS.getProcessCpuTime() - cpu < 25_000_000L ? quiet + 1 : 0;
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  static String heapSettings() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
    return "max heap " + (heap.getMax() >> 20) + " MB, GC " + gcs;
  }

  private void sample() {
    while (!closed) {
      if (armed) {
        record(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void record(long used) {
    peak.accumulateAndGet(used, Math::max);
  }

  private long heapUsed(Map<String, MemoryUsage> pools) {
    long sum = 0;
    for (Map.Entry<String, MemoryUsage> e : pools.entrySet()) {
      if (heapPools.contains(e.getKey())) {
        sum += e.getValue().getUsed();
      }
    }
    return sum;
  }

  /** -1 where the JVM does not count allocations. */
  private static long allocatedBytes() {
    return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled()
        ? THREADS.getTotalThreadAllocatedBytes() : -1;
  }

  private static long engineCpuNanos() {
    return ProcessHandle.current().descendants()
        .map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO).toNanos())
        .mapToLong(Long::longValue).sum();
  }

  @Override
  public void close() {
    closed = true;
    sampler.interrupt();
  }

  /**
   * @param cpuSeconds CPU of this JVM (the worker) in the window
   * @param engineCpuSeconds CPU of the engine's JVM in the window
   * @param peakHeapBytes highest heap use seen in the window
   * @param allocatedBytes heap bytes this JVM allocated in the window; -1 where not counted
   */
  record Usage(double cpuSeconds, double engineCpuSeconds, long peakHeapBytes, long allocatedBytes) {}
}
