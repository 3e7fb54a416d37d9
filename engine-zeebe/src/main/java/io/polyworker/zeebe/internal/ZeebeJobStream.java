package io.polyworker.zeebe.internal;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.command.StreamJobsCommandStep1.StreamJobsCommandStep3;
import io.camunda.client.api.response.ActivatedJob;
import io.camunda.client.api.response.StreamJobsResponse;
import io.polyworker.Backoff;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.JobStream;
import io.polyworker.spi.LockedJob;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code StreamActivatedJobs} call kept open until {@link #close()}: the gateway pushes every job
 * of the type created while the stream is registered, already activated for this worker. The call has
 * no deadline; when it ends anyway (gateway restart, network, a proxy cutting idle streams) it is
 * opened again after a backoff of 100 ms doubling to 5 s, reset once a stream has lived 30 s or
 * delivered a job. Jobs created while no stream is registered are not lost: they stay activatable and
 * the runtime's polling collects them.
 */
final class ZeebeJobStream implements JobStream {
  private static final Logger LOG = LoggerFactory.getLogger(ZeebeEngineFactory.LOGGER);
  /** Before reopening a stream that ended. */
  static final Backoff REOPEN = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5))
      .withoutJitter();
  private static final long STABLE_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final CamundaClient client;
  private final ZeebeErrors.Gateway gateway;
  private final FetchRequest request;
  private final Consumer<LockedJob> sink;
  private final Object lock = new Object();
  private volatile boolean closed;
  private @Nullable CamundaFuture<StreamJobsResponse> current;
  private long openedAt;
  private final Backoff.Sequence reopenDelays = REOPEN.start();
  private boolean warned;

  ZeebeJobStream(CamundaClient client, ZeebeErrors.Gateway gateway, FetchRequest request,
      Consumer<LockedJob> sink) {
    this.client = client;
    this.gateway = gateway;
    this.request = request;
    this.sink = sink;
  }

  /** Opens the call; failures to open are retried like a stream that ended. */
  void open() {
    CamundaFuture<StreamJobsResponse> future;
    synchronized (lock) {
      if (closed) {
        return;
      }
      var command = ZeebeJobs.filtered(client.newStreamJobsCommand()
          .jobType(request.topic())
          .consumer(this::onJob)
          .timeout(request.lockDuration())
          .workerName(request.workerId()), request, StreamJobsCommandStep3::fetchVariables);
      openedAt = System.nanoTime();
      try {
        future = command.send();
      } catch (RuntimeException e) {
        ended(e);
        return;
      }
      current = future;
    }
    future.whenComplete((response, error) -> ended(error));
  }

  private void onJob(ActivatedJob activated) {
    LockedJob job;
    try {
      job = ZeebeJobs.toLocked(activated, request.variables());
    } catch (RuntimeException e) {
      LOG.warn("type {}: job {} was pushed but cannot be read; it runs again after its timeout: {}",
          request.topic(), activated.getKey(), e.toString());
      return;
    }
    synchronized (lock) {
      reopenDelays.reset();
    }
    try {
      sink.accept(job);
    } catch (RuntimeException e) {
      LOG.warn("type {}: the worker did not take pushed job {}; it runs again after its timeout",
          request.topic(), job.id(), e);
    }
  }

  private void ended(@Nullable Throwable error) {
    long delay;
    synchronized (lock) {
      if (closed) {
        return;
      }
      current = null;
      if (System.nanoTime() - openedAt > STABLE_NANOS) {
        reopenDelays.reset();
      }
      delay = reopenDelays.next().toMillis();
      String why = error == null ? "the gateway ended it"
          : ZeebeErrors.map(gateway, "openStream", error).getMessage();
      if (!warned) {
        warned = true;
        LOG.warn("type {}: job stream closed ({}); reopening in {} ms, polling meanwhile",
            request.topic(), why, delay);
      } else {
        LOG.debug("type {}: job stream closed again ({}); reopening in {} ms", request.topic(), why,
            delay);
      }
    }
    CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(this::open);
  }

  /** Whether a call is open now: false between a stream that ended and its reopening, and once closed. */
  @Override
  public boolean isOpen() {
    synchronized (lock) {
      return !closed && current != null;
    }
  }

  @Override
  public void close() {
    CamundaFuture<StreamJobsResponse> future;
    synchronized (lock) {
      closed = true;
      future = current;
      current = null;
    }
    if (future != null) {
      try {
        future.cancel(true);
      } catch (RuntimeException e) {
        LOG.debug("type {}: cancelling the job stream failed", request.topic(), e);
      }
    }
  }

  @Override
  public String toString() {
    return "ZeebeJobStream[" + request.topic() + (closed ? ", closed]" : "]");
  }
}
