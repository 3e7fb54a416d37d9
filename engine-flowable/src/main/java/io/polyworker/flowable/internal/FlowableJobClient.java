package io.polyworker.flowable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyworker.MalformedAnswerException;
import io.polyworker.PolyworkerException;
import io.polyworker.VariableException;
import io.polyworker.flowable.FlowableEngine;
import io.polyworker.flowable.internal.FlowableHttp.Api;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineCapabilities;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.support.internal.Dates;
import io.polyworker.support.internal.EngineClientBase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker side of Flowable: its external worker job REST API.
 *
 * <p>{@code POST /acquire/jobs} locks jobs of one topic for a worker; without {@code scopeType} it
 * returns BPMN and CMMN jobs alike, which is what this client asks for. The answer does not name the
 * topic (it is the one asked for), the business key, or the process definition key; the key is read
 * from the process definition id where Flowable composed that id as {@code key:version:suffix}, and is
 * null otherwise (long keys, CMMN). Results go to {@code /acquire/jobs/{id}/complete|fail|bpmnError|
 * cmmnTerminate}; {@code /unacquire/jobs/{id}} hands a job back.
 *
 * <p>Flowable 7.2 has no lock extension and no long polling; the runtime backs off between empty
 * acquires instead and reports a lost lock when a handler outlives it. For idle topics it asks
 * {@code GET /jobs?unlocked=true&size=1} first ({@link #jobsWaiting}): one request for all of them.
 * That query cannot filter by topic (its answer does not name one either), so it says whether any
 * external worker job of the server waits unlocked.
 */
final class FlowableJobClient extends EngineClientBase {
  /** Flowable's process definition ids: {@code key:version:generatedId}; keys are NCNames, free of ':'. */
  private static final Pattern DEFINITION_ID = Pattern.compile("([^:]+):[0-9]+:[^:]+");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Logger LOG = LoggerFactory.getLogger("io.polyworker.engine." + FlowableEngine.ID);

  static final EngineCapabilities CAPABILITIES = EngineCapabilities.builder()
      .with(Capability.RELEASE, Capability.LOCK_OWNERSHIP, Capability.CMMN, Capability.INCIDENTS,
          Capability.AWAIT_FAILS_FAST, Capability.BUSINESS_KEYS, Capability.JOB_PROBE)
      .without(Capability.LOCK_EXTENSION,
          "Flowable 7.2's external job REST API has no extend-lock endpoint")
      .without(Capability.LONG_POLLING,
          "Flowable 7.2's acquire answers at once, also when no job is there (no long polling)")
      .without(Capability.STREAMING, "Flowable does not push jobs to workers")
      .without(Capability.MULTI_TOPIC_FETCH, "Flowable 7.2's acquire request takes one topic")
      .without(Capability.LOCAL_VARIABLES,
          "Flowable's complete request sets process or case variables only, no task-local ones")
      .without(Capability.BUSINESS_KEY_FILTER,
          "Flowable 7.2's acquire request cannot filter by business key")
      .without(Capability.PROCESS_DEFINITION_FILTER,
          "Flowable 7.2's acquire request cannot filter by process definition")
      .without(Capability.TENANT_FILTER, "Flowable 7.2's acquire request cannot filter by tenant")
      .without(Capability.VARIABLE_FILTER,
          "Flowable 7.2's acquire request has no variable list: every job brings all its variables"
              + " (Polyworker drops the ones not asked for after they arrived)")
      .without(Capability.PRIORITY, "Flowable 7.2's acquire request has no priority ordering option")
      .without(Capability.MESSAGE_BUFFERING, "Flowable correlates a message only to a subscription"
          + " that exists when it arrives; Polyworker retries messages with a time to live from the"
          + " client instead")
      .without(Capability.START_NEEDS_NONE_START_EVENT, "Flowable's start call starts a process whose"
          + " only start event is a message start event as if it were a none start event")
      .build();

  private final FlowableHttp http;
  private final AtomicBoolean errorMessageNoted = new AtomicBoolean();

  FlowableJobClient(FlowableHttp http) {
    super(FlowableEngine.ID, CAPABILITIES);
    this.http = http;
  }

  @Override
  public CompletableFuture<List<LockedJob>> fetchAndLock(FetchRequest request) {
    ObjectNode body = NODES.objectNode()
        .put("topic", request.topic())
        .put("lockDuration", request.lockDuration().toString())
        .put("numberOfTasks", request.maxJobs())
        .put("workerId", request.workerId());
    CompletableFuture<@Nullable JsonNode> call =
        http.postAsync("acquire", http.url(Api.JOBS, "acquire", "jobs"), body);
    CompletableFuture<List<LockedJob>> result = new CompletableFuture<>();
    call.whenComplete((answer, error) -> {
      if (error != null) {
        result.completeExceptionally(error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error);
        return;
      }
      try {
        result.complete(jobs(answer, request));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    result.whenComplete((jobs, error) -> {
      if (result.isCancelled()) {
        call.cancel(true);
      }
    });
    return result;
  }

  /**
   * Whether any external worker job of the server waits unlocked, of any topic: the list query has
   * no topic filter, so the answer is coarser than the requests.
   */
  @Override
  public boolean jobsWaiting(List<FetchRequest> requests) {
    HttpUrl url = http.url(Api.JOBS, "jobs").newBuilder().addQueryParameter("unlocked", "true")
        .addQueryParameter("size", "1").build();
    JsonNode answer = http.get("jobsWaiting", url);
    JsonNode total = answer.get("total");
    if (!answer.isObject() || total == null || !total.canConvertToLong()) {
      throw new MalformedAnswerException(FlowableEngine.ID, "jobsWaiting", 200, answer.toString(),
          "expected a JSON object with a numeric total, as Flowable's job list answers", null);
    }
    return total.asLong() > 0;
  }

  private static List<LockedJob> jobs(@Nullable JsonNode answer, FetchRequest request) {
    if (answer == null || !answer.isArray()) {
      throw new MalformedAnswerException(FlowableEngine.ID, "acquire", 200,
          answer == null ? null : answer.toString(), "expected a JSON array of jobs, got "
              + (answer == null ? "an empty answer" : answer.getNodeType().toString().toLowerCase(Locale.ROOT)),
          null);
    }
    String text = answer.toString();
    Set<String> wanted = request.variables() == null ? null : new HashSet<>(request.variables());
    List<LockedJob> jobs = new ArrayList<>(answer.size());
    for (JsonNode job : answer) {
      jobs.add(job(job, request, wanted, text));
    }
    return jobs;
  }

  /**
   * Reads one job. A job that is not an object or has no id fails the whole acquire (nothing can be
   * reported for it); any other unreadable part makes it an {@link LockedJob#unreadable} job, which
   * the runtime fails with the reason while the jobs acquired with it run as usual.
   */
  private static LockedJob job(JsonNode job, FetchRequest request, @Nullable Set<String> wanted,
      String answer) {
    if (!job.isObject()) {
      throw malformed(answer, "a job is not a JSON object but " + job.getNodeType());
    }
    String id = required(job, "id", answer);
    try {
      return readableJob(job, id, request.topic(), wanted, answer);
    } catch (RuntimeException e) {
      String why = e instanceof MalformedAnswerException m ? m.detail() : e.toString();
      MalformedAnswerException error = new MalformedAnswerException(FlowableEngine.ID, "acquire",
          200, job.toString(), why, e);
      String lock = optional(job, "lockExpirationTime");
      Instant lockExpiresAt = lock == null ? null : Dates.parseOrNull(lock);
      JsonNode retries = job.get("retries");
      return LockedJob.unreadable(FlowableEngine.ID, id, request.topic(),
          isInt(retries) ? retries.intValue() : null,
          lockExpiresAt != null ? lockExpiresAt : Instant.now().plus(request.lockDuration()), job, error);
    }
  }

  private static LockedJob readableJob(JsonNode job, String id, String topic,
      @Nullable Set<String> wanted, String answer) {
    String scopeType = optional(job, "scopeType");
    boolean cmmn = "cmmn".equalsIgnoreCase(scopeType);
    String instanceId = cmmn ? required(job, "scopeId", answer)
        : optional(job, "processInstanceId") != null ? optional(job, "processInstanceId")
        : optional(job, "scopeId");
    if (instanceId == null) {
      throw malformed(answer, "job " + id + ": field 'processInstanceId' (or 'scopeId') is missing");
    }
    String lock = required(job, "lockExpirationTime", answer);
    Instant lockExpiresAt = Dates.parseOrNull(lock);
    if (lockExpiresAt == null) {
      throw malformed(answer, "job " + id + " has a 'lockExpirationTime' that is not an ISO-8601"
          + " date-time: " + lock);
    }
    JsonNode retries = job.get("retries");
    if (retries != null && !retries.isNull() && !isInt(retries)) {
      throw malformed(answer, "job " + id + " has 'retries' that are not an integer: " + retries);
    }
    String tenantId = optional(job, "tenantId");
    return LockedJob.builder()
        .engine(FlowableEngine.ID)
        .id(id)
        .topic(topic)
        .processInstanceId(instanceId)
        .processDefinitionKey(cmmn ? null : definitionKey(optional(job, "processDefinitionId")))
        .elementId(required(job, "elementId", answer))
        .businessKey(null)
        .tenantId(tenantId == null || tenantId.isEmpty() ? null : tenantId)
        .retries(retries == null || retries.isNull() ? null : retries.intValue())
        .lockExpiresAt(lockExpiresAt)
        .scopeType(cmmn ? LockedJob.CMMN : scopeType == null ? LockedJob.BPMN
            : scopeType.toLowerCase(Locale.ROOT))
        .variables(FlowableVariables.decode(job.get("variables"), wanted, "acquire", answer))
        .nativeJob(job)
        .build();
  }

  private static boolean isInt(@Nullable JsonNode node) {
    return node != null && node.isIntegralNumber() && node.canConvertToInt();
  }

  static @Nullable String definitionKey(@Nullable String processDefinitionId) {
    if (processDefinitionId == null) {
      return null;
    }
    Matcher m = DEFINITION_ID.matcher(processDefinitionId);
    return m.matches() ? m.group(1) : null;
  }

  private static String required(JsonNode job, String field, String answer) {
    String value = optional(job, field);
    if (value == null || value.isEmpty()) {
      String id = optional(job, "id");
      throw malformed(answer, (id == null ? "a job" : "job " + id) + ": field '" + field + "' is missing");
    }
    return value;
  }

  private static @Nullable String optional(JsonNode job, String field) {
    JsonNode node = job.get(field);
    return node == null || node.isNull() || !node.isValueNode() ? null : node.asText();
  }

  private static MalformedAnswerException malformed(String answer, String detail) {
    return new MalformedAnswerException(FlowableEngine.ID, "acquire", 200, answer, detail, null);
  }

  @Override
  public void complete(LockedJob job, String workerId, Map<String, ? extends @Nullable Object> variables,
      Map<String, ? extends @Nullable Object> localVariables) {
    if (!localVariables.isEmpty()) {
      throw new VariableException("Flowable has no task-local variables: " + localVariables.keySet()
          + " cannot be set; pass them as process variables", null);
    }
    ObjectNode body = NODES.objectNode().put("workerId", workerId);
    body.set("variables", FlowableVariables.encode(variables));
    http.post("complete", jobUrl(job, "complete"), body);
  }

  @Override
  public void fail(LockedJob job, String workerId, String errorMessage, @Nullable String errorDetails,
      int retries, Duration retryBackoff) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries < 0");
    }
    ObjectNode body = NODES.objectNode()
        .put("workerId", workerId)
        .put("errorMessage", errorMessage)
        .put("errorDetails", errorDetails)
        .put("retries", retries)
        .put("retryTimeout", retryBackoff.toString());
    http.post("fail", jobUrl(job, "fail"), body);
  }

  /**
   * Flowable's BPMN error carries a code and variables; it has no field for {@code errorMessage}
   * (Flowable 7.2's {@code ExternalWorkerJobErrorRequest}, and its Java API, take none). The message
   * is therefore not sent, and the first time one is given this says so at INFO, naming the error
   * code but not the message.
   */
  @Override
  public void bpmnError(LockedJob job, String workerId, String errorCode, @Nullable String errorMessage,
      Map<String, ? extends @Nullable Object> variables) {
    if (errorMessage != null && !errorMessage.isBlank()
        && errorMessageNoted.compareAndSet(false, true)) {
      LOG.info("Flowable's BPMN error request has no field for an error message: the message of BPMN"
          + " error '{}' (and of any later one) is not sent; put it into a variable if the process"
          + " needs it", errorCode);
    }
    ObjectNode body = NODES.objectNode().put("workerId", workerId).put("errorCode", errorCode);
    body.set("variables", FlowableVariables.encode(variables));
    http.post("bpmnError", jobUrl(job, "bpmnError"), body);
  }

  @Override
  public void terminate(LockedJob job, String workerId, Map<String, ? extends @Nullable Object> variables) {
    ObjectNode body = NODES.objectNode().put("workerId", workerId);
    body.set("variables", FlowableVariables.encode(variables));
    http.post("terminate", jobUrl(job, "cmmnTerminate"), body);
  }

  @Override
  public void release(LockedJob job, String workerId) {
    http.post("release", http.url(Api.JOBS, "unacquire", "jobs", job.id()),
        NODES.objectNode().put("workerId", workerId));
  }

  private okhttp3.HttpUrl jobUrl(LockedJob job, String action) {
    if (!FlowableEngine.ID.equals(job.engine())) {
      throw new PolyworkerException("job " + job.id() + " comes from engine " + job.engine()
          + ", not " + FlowableEngine.ID);
    }
    return http.url(Api.JOBS, "acquire", "jobs", job.id(), action);
  }

  @Override
  public void close() {
    http.close();
  }

  @Override
  public String toString() {
    return "FlowableJobClient[" + http + "]";
  }
}
