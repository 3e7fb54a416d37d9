package io.polyworker.worker.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The default handler executor: a virtual thread per job on Java 21+ (found reflectively, since the
 * library is compiled for Java 17), otherwise a pool of as many platform threads as the
 * subscription may run jobs, which idle threads leave after a minute. Capacity is bounded by the
 * runtime, so neither needs a bounded queue.
 */
final class HandlerExecutors {
  private static final boolean VIRTUAL = virtualFactory("probe-") != null;

  private HandlerExecutors() {}

  static boolean virtualThreadsAvailable() {
    return VIRTUAL;
  }

  static ExecutorService create(String topic, int maxConcurrent) {
    String prefix = "polyworker-" + topic + "-";
    ThreadFactory virtual = VIRTUAL ? virtualFactory(prefix) : null;
    if (virtual != null) {
      return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 0, TimeUnit.SECONDS,
          new SynchronousQueue<>(), virtual);
    }
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory = r -> new Thread(r, prefix + count.incrementAndGet());
    ThreadPoolExecutor pool = new ThreadPoolExecutor(maxConcurrent, maxConcurrent, 60,
        TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * The executor for the runtime's own blocking engine calls that must not wait for each other or for
   * handlers: lock extensions and releases. A virtual thread per call on Java 21+, otherwise a
   * cached pool of daemon threads (as many as calls in flight, which the runtime bounds by the jobs
   * it holds; idle threads leave after 30 s).
   */
  static ExecutorService engineCalls() {
    ThreadFactory virtual = VIRTUAL ? virtualFactory("polyworker-engine-call-") : null;
    ThreadFactory factory = virtual;
    if (factory == null) {
      AtomicInteger count = new AtomicInteger();
      factory = r -> {
        Thread t = new Thread(r, "polyworker-engine-call-" + count.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
    }
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), factory);
  }

  /** {@code Thread.ofVirtual().name(prefix, 1).factory()}, or null before Java 21. */
  private static @Nullable ThreadFactory virtualFactory(String prefix) {
    try {
      Class<?> builder = Class.forName("java.lang.Thread$Builder");
      Object ofVirtual = Thread.class.getMethod("ofVirtual").invoke(null);
      Object named = builder.getMethod("name", String.class, long.class).invoke(ofVirtual, prefix, 1L);
      return (ThreadFactory) builder.getMethod("factory").invoke(named);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
