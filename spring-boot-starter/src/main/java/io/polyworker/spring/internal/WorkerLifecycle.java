package io.polyworker.spring.internal;

import io.polyworker.worker.JobWorker;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the starter's worker with the context: started when the context is ready (after the web
 * server, whose phases are lower), stopped first on shutdown, in Spring's graceful-shutdown phase:
 * fetching stops, fetched jobs not yet started are released, running handlers drain within
 * {@code polyworker.worker.drain-timeout}, which should stay below
 * {@code spring.lifecycle.timeout-per-shutdown-phase}. A stopped worker is not started again.
 */
public final class WorkerLifecycle implements SmartLifecycle {

  /** The phase: after the web server starts, before it stops. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

  private static final Logger log = LoggerFactory.getLogger(WorkerLifecycle.class);

  private final JobWorker worker;
  private final boolean autoStartup;
  private final Duration drainTimeout;

  public WorkerLifecycle(JobWorker worker, boolean autoStartup, Duration drainTimeout) {
    this.worker = worker;
    this.autoStartup = autoStartup;
    this.drainTimeout = drainTimeout;
  }

  @Override
  public void start() {
    worker.start();
    log.info("Polyworker job worker {} started: {}", worker.workerId(), topics());
  }

  private String topics() {
    StringBuilder sb = new StringBuilder();
    worker.subscriptions().forEach(s -> sb.append(sb.length() == 0 ? "" : ", ").append(s.topic())
        .append(" on ").append(s.engine()).append(" (").append(s.slotLimit()).append(" slots)"));
    return sb.toString();
  }

  @Override
  public void stop() {
    log.info("Polyworker job worker {} stopping: draining running jobs for up to {}", worker.workerId(),
        drainTimeout);
    worker.close();
  }

  @Override
  public void stop(Runnable callback) {
    Thread t = new Thread(() -> {
      try {
        stop();
      } finally {
        callback.run();
      }
    }, "polyworker-shutdown");
    t.start();
  }

  @Override
  public boolean isRunning() {
    return worker.isRunning();
  }

  @Override
  public boolean isAutoStartup() {
    return autoStartup;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
