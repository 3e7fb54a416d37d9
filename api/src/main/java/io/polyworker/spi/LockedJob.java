package io.polyworker.spi;

import io.polyworker.MalformedAnswerException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A job as an engine client returns it from a fetch: engine-neutral fields, decoded variables and the
 * engine's native object. Immutable; made with {@link #builder()}.
 *
 * <p>Variable values must already be decoded to plain Java (see {@link io.polyworker.Variables});
 * values that must never be decoded are {@link io.polyworker.UnreadableValue}s.
 *
 * <p>A job the engine locked but the client cannot read (a field of the wrong type, say) is still
 * returned, made with {@link #unreadable}: the runtime then fails it in the engine with
 * {@link #readError()} as the reason, without running a handler, so that it neither blocks the jobs
 * fetched with it nor comes back unnoticed after every lock expiry. Only a job without a readable
 * id, which nothing can be reported for, should fail the whole fetch.
 */
public final class LockedJob {
  /** {@link #scopeType()} of BPMN jobs. */
  public static final String BPMN = "bpmn";
  /** {@link #scopeType()} of CMMN jobs. */
  public static final String CMMN = "cmmn";

  private final String engine;
  private final String id;
  private final String topic;
  private final String processInstanceId;
  private final @Nullable String processDefinitionKey;
  private final String elementId;
  private final @Nullable String businessKey;
  private final @Nullable String tenantId;
  private final @Nullable Integer retries;
  private final Instant lockExpiresAt;
  private final Map<String, String> headers;
  private final Map<String, @Nullable Object> variables;
  private final String scopeType;
  private final Object nativeJob;
  private final @Nullable MalformedAnswerException readError;

  private LockedJob(Builder b) {
    this.engine = require(b.engine, "engine");
    this.id = require(b.id, "id");
    this.topic = require(b.topic, "topic");
    this.processInstanceId = require(b.processInstanceId, "processInstanceId");
    this.processDefinitionKey = b.processDefinitionKey;
    this.elementId = require(b.elementId, "elementId");
    this.businessKey = b.businessKey;
    this.tenantId = b.tenantId;
    this.retries = b.retries;
    this.lockExpiresAt = Objects.requireNonNull(b.lockExpiresAt, "lockExpiresAt");
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.variables = Collections.unmodifiableMap(new LinkedHashMap<>(b.variables));
    this.scopeType = b.scopeType;
    this.nativeJob = Objects.requireNonNull(b.nativeJob, "nativeJob");
    this.readError = null;
  }

  private LockedJob(String engine, String id, String topic, @Nullable Integer retries,
      Instant lockExpiresAt, Object nativeJob, MalformedAnswerException readError) {
    this.engine = engine;
    this.id = id;
    this.topic = topic;
    this.processInstanceId = "";
    this.processDefinitionKey = null;
    this.elementId = "";
    this.businessKey = null;
    this.tenantId = null;
    this.retries = retries;
    this.lockExpiresAt = lockExpiresAt;
    this.headers = Map.of();
    this.variables = Map.of();
    this.scopeType = BPMN;
    this.nativeJob = nativeJob;
    this.readError = readError;
  }

  /**
   * A job that was locked for this worker but cannot be read; the runtime fails it with
   * {@code readError} as the reason (retries and backoff as for a handler exception) and never hands
   * it to a handler. Instance and element ids are empty, variables and headers empty.
   *
   * @param retries the job's retries where they could be read, else null (the subscription's
   *     default retries apply)
   * @param lockExpiresAt when the lock ends, or the fetch time plus the lock duration asked for
   */
  public static LockedJob unreadable(String engine, String id, String topic, @Nullable Integer retries,
      Instant lockExpiresAt, Object nativeJob, MalformedAnswerException readError) {
    return new LockedJob(require(engine, "engine"), require(id, "id"), require(topic, "topic"),
        retries, Objects.requireNonNull(lockExpiresAt, "lockExpiresAt"),
        Objects.requireNonNull(nativeJob, "nativeJob"), Objects.requireNonNull(readError, "readError"));
  }

  private static String require(@Nullable String value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("job field '" + field + "' is missing");
    }
    return value;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String engine() { return engine; }
  public String id() { return id; }
  public String topic() { return topic; }
  public String processInstanceId() { return processInstanceId; }
  public @Nullable String processDefinitionKey() { return processDefinitionKey; }
  public String elementId() { return elementId; }
  public @Nullable String businessKey() { return businessKey; }
  public @Nullable String tenantId() { return tenantId; }
  public @Nullable Integer retries() { return retries; }
  public Instant lockExpiresAt() { return lockExpiresAt; }
  public Map<String, String> headers() { return headers; }
  public Map<String, @Nullable Object> variables() { return variables; }
  /** {@link #BPMN} or {@link #CMMN}. */
  public String scopeType() { return scopeType; }
  /** The engine's own representation, for {@link io.polyworker.Job#unwrap(Class)}. */
  public Object nativeJob() { return nativeJob; }
  /** Why this job could not be read, for jobs made with {@link #unreadable}; null for every other. */
  public @Nullable MalformedAnswerException readError() { return readError; }

  @Override
  public String toString() {
    return "LockedJob[" + engine + " " + id + " topic=" + topic + " instance=" + processInstanceId
        + " element=" + elementId + "]";
  }

  /** Builds a {@link LockedJob}; engine, id, topic, instance, element, lock expiry and native object are required. */
  public static final class Builder {
    private @Nullable String engine;
    private @Nullable String id;
    private @Nullable String topic;
    private @Nullable String processInstanceId;
    private @Nullable String processDefinitionKey;
    private @Nullable String elementId;
    private @Nullable String businessKey;
    private @Nullable String tenantId;
    private @Nullable Integer retries;
    private @Nullable Instant lockExpiresAt;
    private Map<String, String> headers = Map.of();
    private Map<String, @Nullable Object> variables = Map.of();
    private String scopeType = BPMN;
    private @Nullable Object nativeJob;

    private Builder() {}

    public Builder engine(String v) { engine = v; return this; }
    public Builder id(String v) { id = v; return this; }
    public Builder topic(String v) { topic = v; return this; }
    public Builder processInstanceId(@Nullable String v) { processInstanceId = v; return this; }
    public Builder processDefinitionKey(@Nullable String v) { processDefinitionKey = v; return this; }
    public Builder elementId(@Nullable String v) { elementId = v; return this; }
    public Builder businessKey(@Nullable String v) { businessKey = v; return this; }
    public Builder tenantId(@Nullable String v) { tenantId = v; return this; }
    public Builder retries(@Nullable Integer v) { retries = v; return this; }
    public Builder lockExpiresAt(@Nullable Instant v) { lockExpiresAt = v; return this; }
    public Builder headers(Map<String, String> v) { headers = Objects.requireNonNull(v); return this; }
    public Builder variables(Map<String, @Nullable Object> v) { variables = Objects.requireNonNull(v); return this; }
    public Builder scopeType(String v) { scopeType = Objects.requireNonNull(v); return this; }
    public Builder nativeJob(Object v) { nativeJob = v; return this; }

    /** @throws IllegalArgumentException naming the first required field that is missing */
    public LockedJob build() {
      return new LockedJob(this);
    }
  }
}
