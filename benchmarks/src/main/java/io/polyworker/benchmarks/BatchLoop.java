package io.polyworker.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written worker loop with no framework: fetch up to {@code batch} jobs, run each (in
 * parallel on {@code batch} threads, or one after another on the loop thread), complete each, and
 * fetch again once the whole batch is done. An empty fetch waits {@code idlePause} (zero where the
 * engine long-polls). Subclasses supply the engine's fetch and complete calls.
 */
abstract class BatchLoop implements Client.Running {
  /** A fetched job: its id and process instance id, and the native object. */
  record RawJob(String id, String processInstanceId, Object nativeJob) {}

  private static final AtomicInteger COUNT = new AtomicInteger();

  private final int batch;
  private final boolean sequential;
  private final Duration idlePause;
  private final Variant variant;
  private final Probe probe;
  private final ExecutorService pool;
  private final Thread loop;
  private volatile boolean running = true;

  BatchLoop(String name, int batch, boolean sequential, Duration idlePause, Variant variant, Probe probe) {
    this.batch = batch;
    this.sequential = sequential;
    this.idlePause = idlePause;
    this.variant = variant;
    this.probe = probe;
    int id = COUNT.incrementAndGet();
    this.pool = sequential ? null : Executors.newFixedThreadPool(batch, r -> {
      Thread t = new Thread(r, name + "-" + id + "-handler");
      t.setDaemon(true);
      return t;
    });
    this.loop = new Thread(this::run, name + "-" + id + "-loop");
    this.loop.setDaemon(true);
  }

  /** Starts the loop thread; returns this. */
  BatchLoop start() {
    loop.start();
    return this;
  }

  abstract List<RawJob> fetch(int max) throws Exception;

  abstract void complete(RawJob job) throws Exception;

  private void run() {
    while (running) {
      List<RawJob> jobs;
      long sent = System.nanoTime();
      try {
        probe.fetched();
        jobs = fetch(batch);
        probe.answered(jobs.size(), System.nanoTime() - sent);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        probe.error();
        if (!pause(Duration.ofMillis(100))) {
          return;
        }
        continue;
      }
      if (jobs.isEmpty()) {
        if (!idlePause.isZero() && !pause(idlePause)) {
          return;
        }
        continue;
      }
      if (sequential) {
        for (RawJob job : jobs) {
          if (!handle(job)) {
            return;
          }
        }
        continue;
      }
      CountDownLatch batchDone = new CountDownLatch(jobs.size());
      for (RawJob job : jobs) {
        pool.execute(() -> {
          try {
            handle(job);
          } finally {
            batchDone.countDown();
          }
        });
      }
      try {
        batchDone.await();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Runs and completes one job; false when interrupted. */
  private boolean handle(RawJob job) {
    try {
      probe.started(job.processInstanceId());
      variant.work();
      complete(job);
      probe.completed();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      probe.error();
      return true;
    }
  }

  private boolean pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return running;
    } catch (InterruptedException e) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    loop.interrupt();
    loop.join(TimeUnit.SECONDS.toMillis(30));
    if (pool != null) {
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
  }
}
