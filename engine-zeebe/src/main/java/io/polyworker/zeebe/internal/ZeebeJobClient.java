package io.polyworker.zeebe.internal;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.command.ActivateJobsCommandStep1.ActivateJobsCommandStep3;
import io.camunda.client.api.command.CompleteJobCommandStep1;
import io.camunda.client.api.response.ActivateJobsResponse;
import io.camunda.client.api.response.ActivatedJob;
import io.polyworker.VariableException;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineCapabilities;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.JobStream;
import io.polyworker.spi.LockedJob;
import io.polyworker.support.internal.EngineClientBase;
import io.polyworker.zeebe.ZeebeEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The worker SPI on the gRPC client: ActivateJobs for fetches, StreamActivatedJobs for pushes,
 * CompleteJob, FailJob, ThrowError and UpdateJobTimeout for results. Release has no command of its
 * own in Zeebe and is a FailJob that keeps the job's retries, with no backoff. A BPMN error with
 * variables is a SetVariables on the task (propagated like a completion) followed by ThrowError, so
 * the error path sees the variables as on the other engines; the two commands are not atomic.
 */
final class ZeebeJobClient extends EngineClientBase {
  /** Longest error message sent with a failure (message plus details); Zeebe has no details field. */
  static final int MAX_ERROR_MESSAGE = 10_000;
  /** Asks the gateway not to long-poll (a negative request timeout, per the gateway protocol). */
  private static final Duration NO_LONG_POLL = Duration.ofMillis(-1);

  private final CamundaClient client;
  private final ZeebeSettings settings;
  private final ZeebeErrors.Gateway gateway;
  private final Set<ZeebeJobStream> streams = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  ZeebeJobClient(CamundaClient client, ZeebeSettings settings) {
    super(ZeebeEngine.ID, capabilities(settings));
    this.client = client;
    this.gateway = ZeebeErrors.Gateway.of(settings);
    this.settings = settings;
  }

  static EngineCapabilities capabilities(ZeebeSettings settings) {
    EngineCapabilities.Builder b = EngineCapabilities.builder()
        .with(Capability.LOCK_EXTENSION, Capability.RELEASE, Capability.TENANT_FILTER,
            Capability.VARIABLE_FILTER, Capability.INCIDENTS)
        .without(Capability.LOCK_OWNERSHIP, "Zeebe does not check which worker holds a job:"
            + " a stale worker's complete succeeds")
        .without(Capability.LOCAL_VARIABLES, "Zeebe jobs complete with process variables only;"
            + " use output mappings for task-local results")
        .without(Capability.BUSINESS_KEYS, "Zeebe has no business keys")
        .without(Capability.BUSINESS_KEY_FILTER, "Zeebe has no business keys")
        .without(Capability.PROCESS_DEFINITION_FILTER, "Zeebe jobs cannot be filtered by process")
        .without(Capability.PRIORITY, "Zeebe activates jobs without priorities")
        .without(Capability.CMMN, "Zeebe runs BPMN only")
        .without(Capability.MULTI_TOPIC_FETCH, "Zeebe activates jobs of one type per request")
        .without(Capability.JOB_PROBE, "Camunda 8.8 has no request that tells whether jobs wait"
            + " without activating them; its job stream pushes new ones")
        .with(Capability.MESSAGE_BUFFERING, Capability.START_NEEDS_NONE_START_EVENT)
        .without(Capability.AWAIT_FAILS_FAST, "Zeebe's create-with-result answers only when the"
            + " instance completes: an incident or a cancellation shows as the timeout");
    if (settings.streaming()) {
      b.with(Capability.STREAMING);
    } else {
      b.without(Capability.STREAMING, "job streaming is off: ZeebeEngine.builder().streaming(false)");
    }
    if (settings.longPolling()) {
      b.with(Capability.LONG_POLLING);
    } else {
      b.without(Capability.LONG_POLLING, "long polling is off: the in-memory engine does not long-poll"
          + " and job streaming delivers new jobs; turn it on with ZeebeEngine.builder().longPolling(true)"
          + " for a real gateway");
    }
    return b.build();
  }

  @Override
  public CompletableFuture<List<LockedJob>> fetchAndLock(FetchRequest request) {
    var command = ZeebeJobs.filtered(client.newActivateJobsCommand()
        .jobType(request.topic())
        .maxJobsToActivate(request.maxJobs())
        .timeout(request.lockDuration())
        .workerName(request.workerId()), request, ActivateJobsCommandStep3::fetchVariables);
    List<String> variables = request.variables();
    Duration longPoll = settings.longPolling() && !request.longPollTimeout().isZero()
        ? request.longPollTimeout() : NO_LONG_POLL;
    CamundaFuture<ActivateJobsResponse> call;
    try {
      call = command.requestTimeout(longPoll).send();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(ZeebeErrors.map(gateway, "fetchAndLock", e));
    }
    CompletableFuture<List<LockedJob>> result = new CompletableFuture<>();
    result.whenComplete((jobs, error) -> {
      if (result.isCancelled()) {
        call.cancel(true);
      }
    });
    call.whenComplete((response, error) -> {
      if (error != null) {
        result.completeExceptionally(ZeebeErrors.map(gateway, "fetchAndLock", error));
        return;
      }
      try {
        List<LockedJob> jobs = new ArrayList<>(response.getJobs().size());
        for (ActivatedJob job : response.getJobs()) {
          jobs.add(ZeebeJobs.toLocked(job, variables));
        }
        result.complete(jobs);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  @Override
  public JobStream openStream(FetchRequest request, Consumer<LockedJob> sink) {
    if (!settings.streaming()) {
      throw new UnsupportedOperationException(capabilities().whyMissing(Capability.STREAMING));
    }
    ZeebeJobStream stream = new ZeebeJobStream(client, gateway, request, sink);
    streams.add(stream);
    stream.open();
    return () -> {
      streams.remove(stream);
      stream.close();
    };
  }

  @Override
  public void complete(LockedJob job, String workerId, Map<String, ? extends @Nullable Object> variables,
      Map<String, ? extends @Nullable Object> localVariables) {
    if (!localVariables.isEmpty()) {
      throw new VariableException(ZeebeEngine.ID, "complete", -1, null, "task-local variables "
          + localVariables.keySet() + " cannot be set: "
          + capabilities().whyMissing(Capability.LOCAL_VARIABLES), null);
    }
    CompleteJobCommandStep1 command = client.newCompleteCommand(ZeebeJobs.key(job));
    String json = ZeebeJobs.encode(variables, "complete");
    if (json != null) {
      command = command.variables(json);
    }
    ZeebeErrors.execute(gateway, "complete", command::send);
  }

  @Override
  public void fail(LockedJob job, String workerId, String errorMessage, @Nullable String errorDetails,
      int retries, Duration retryBackoff) {
    ZeebeErrors.execute(gateway, "fail", () -> client.newFailCommand(ZeebeJobs.key(job))
        .retries(retries)
        .retryBackoff(retryBackoff)
        .errorMessage(errorMessage(errorMessage, errorDetails))
        .send());
  }

  @Override
  public void bpmnError(LockedJob job, String workerId, String errorCode, @Nullable String errorMessage,
      Map<String, ? extends @Nullable Object> variables) {
    var command = client.newThrowErrorCommand(ZeebeJobs.key(job)).errorCode(errorCode);
    if (errorMessage != null) {
      command = command.errorMessage(errorMessage);
    }
    String json = ZeebeJobs.encode(variables, "bpmnError");
    if (json != null) {
      // Zeebe keeps error variables local to the catch event (visible only through its output
      // mappings). Other engines put them where the error path sees them; so set them first the way
      // a completion would (propagated to the process scope), then send them with the error too.
      if (job.nativeJob() instanceof ActivatedJob activated) {
        ZeebeErrors.execute(gateway, "bpmnError", () -> client
            .newSetVariablesCommand(activated.getElementInstanceKey())
            .variables(json)
            .local(false)
            .send());
      }
      command = command.variables(json);
    }
    ZeebeErrors.execute(gateway, "bpmnError", command::send);
  }

  @Override
  public Instant extendLock(LockedJob job, String workerId, Duration duration) {
    Instant sent = Instant.now();
    ZeebeErrors.execute(gateway, "extendLock", () -> client.newUpdateTimeoutCommand(ZeebeJobs.key(job))
        .timeout(duration)
        .send());
    // The gateway computes the deadline from when it processes the command: a little later than this.
    return sent.plus(duration);
  }

  /**
   * Zeebe has no unlock: fails the job with the retries it had and no backoff, so that it can be
   * activated again at once. The failure's message is recorded on the job (Operate shows it).
   */
  @Override
  public void release(LockedJob job, String workerId) {
    Integer retries = job.retries();
    int keep = retries == null || retries < 1 ? 1 : retries;
    ZeebeErrors.execute(gateway, "release", () -> client.newFailCommand(ZeebeJobs.key(job))
        .retries(keep)
        .retryBackoff(Duration.ZERO)
        .errorMessage("released unstarted by worker '" + workerId + "' (not a failure: Zeebe has no"
            + " unlock, so Polyworker hands jobs back as a failure that keeps the retries)")
        .send());
  }

  /**
   * Closes the engine, once: the open streams first, so that none reopens on a closed client, then
   * the gRPC client (which the process client shares).
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      for (ZeebeJobStream stream : streams) {
        stream.close();
      }
      streams.clear();
      client.close();
    }
  }

  static String errorMessage(String message, @Nullable String details) {
    String full = details == null || details.isBlank() ? message : message + "\n\n" + details;
    if (full.length() <= MAX_ERROR_MESSAGE) {
      return full;
    }
    String suffix = "\n…(truncated)";
    int cut = MAX_ERROR_MESSAGE - suffix.length();
    if (Character.isHighSurrogate(full.charAt(cut - 1))) {
      cut--;
    }
    return full.substring(0, cut) + suffix;
  }

  @Override
  public String toString() {
    return "ZeebeJobClient[" + settings.grpcAddress() + "]";
  }
}
