package io.polyworker.units;

import io.polyworker.BpmnError;
import io.polyworker.Job;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.NotFoundException;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessInstanceFailedException;
import io.polyworker.ProcessResult;
import io.polyworker.StartProcess;
import io.polyworker.UnreadableValue;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Starts another process from a service task, on the engine of the given {@link ProcessClient}
 * (the job's own engine, or another one): a {@link JobHandler} registered for a topic of your choice.
 *
 * <ul>
 *   <li><b>Which process</b>: a fixed key ({@link Builder#processKey(String)}), or one the model
 *       names in a variable among keys the operator allows ({@link Builder#processKeyFrom(String, String...)}).</li>
 *   <li><b>Variables in</b>: each {@link Builder#input(String, String) parent → child} mapping (an
 *       absent parent variable is not passed); without mappings, every readable variable of the job.</li>
 *   <li><b>Waiting</b>: with {@link Builder#awaitResult(Duration)} the job completes once the child
 *       has ended, with the child's variables mapped back ({@link Builder#output(String, String)
 *       child → parent}, all of them without mappings); without it, as soon as the child started.</li>
 *   <li><b>Always</b>: the child's instance id in {@code subprocess_instance_id}
 *       ({@link Builder#instanceIdVariable(String) renamable}).</li>
 * </ul>
 *
 * <p><b>Outcomes.</b> A child that raises an incident or is cancelled while awaited: BPMN error
 * {@value #CHILD_FAILED} (the model can branch). A process key that is not deployed, or not allowed:
 * failure without retries (an incident). The await timing out, or the engine unreachable: an
 * exception, retried by the runtime. Delivery is at least once: a retry after a timeout, or after a
 * completion the engine did not accept, starts another child; give the child a business key or make
 * it idempotent where that matters.
 *
 * <p>Thread-safe.
 */
public final class SubProcessUnit implements JobHandler {

  /** The BPMN error code of a child that failed while awaited. */
  public static final String CHILD_FAILED = "SUBPROCESS_FAILED";
  /** The default name of the variable receiving the child's instance id. */
  public static final String DEFAULT_INSTANCE_ID_VARIABLE = "subprocess_instance_id";

  private final ProcessClient client;
  private final @Nullable String processKey;
  private final @Nullable String keyVariable;
  private final Set<String> allowedKeys;
  private final Map<String, String> inputs;
  private final Map<String, String> outputs;
  private final @Nullable Duration await;
  private final String instanceIdVariable;

  private SubProcessUnit(Builder b) {
    this.client = b.client;
    this.processKey = b.processKey;
    this.keyVariable = b.keyVariable;
    this.allowedKeys = Set.copyOf(b.allowedKeys);
    this.inputs = new LinkedHashMap<>(b.inputs);
    this.outputs = new LinkedHashMap<>(b.outputs);
    this.await = b.await;
    this.instanceIdVariable = b.instanceIdVariable;
  }

  /** A builder starting processes through {@code client}. */
  public static Builder builder(ProcessClient client) {
    return new Builder(client);
  }

  @Override
  public JobResult handle(Job job) {
    String key = processKey;
    if (key == null) {
      Object named = job.variables().contains(keyVariable) ? job.variables().get(keyVariable) : null;
      if (named == null || !allowedKeys.contains(named.toString())) {
        return JobResult.fail("variable " + keyVariable + " names no process this unit may start (allowed: "
            + allowedKeys + ")", null, 0, Duration.ZERO);
      }
      key = named.toString();
    }
    StartProcess start = StartProcess.of(key).withVariables(childVariables(job));
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    try {
      if (await == null) {
        result.put(instanceIdVariable, client.startProcess(start));
        return JobResult.complete(result);
      }
      ProcessResult ended = client.startProcessAndAwait(start, await);
      if (outputs.isEmpty()) {
        result.putAll(ended.variables());
      } else {
        outputs.forEach((child, parent) -> {
          if (ended.variables().containsKey(child)) {
            result.put(parent, ended.variables().get(child));
          }
        });
      }
      result.put(instanceIdVariable, ended.processInstanceId());
      return JobResult.complete(result);
    } catch (NotFoundException e) {
      return JobResult.fail("process " + key + " cannot be started: " + e.getMessage(), null, 0, Duration.ZERO);
    } catch (ProcessInstanceFailedException e) {
      throw new BpmnError(CHILD_FAILED, "the sub-process " + key + " did not end: " + e.getMessage(),
          Map.of(instanceIdVariable, e.processInstanceId()));
    }
  }

  private Map<String, @Nullable Object> childVariables(Job job) {
    Map<String, @Nullable Object> vars = new LinkedHashMap<>();
    if (inputs.isEmpty()) {
      job.variables().asMap().forEach((name, value) -> {
        if (!(value instanceof UnreadableValue)) {
          vars.put(name, value);
        }
      });
      return vars;
    }
    inputs.forEach((parent, child) -> {
      if (job.variables().contains(parent)) {
        vars.put(child, job.variables().get(parent));
      }
    });
    return vars;
  }

  @Override
  public String toString() {
    return "SubProcessUnit{" + (processKey != null ? "process=" + processKey
        : "process from " + keyVariable + " among " + allowedKeys) + (await == null ? "" : ", await=" + await) + "}";
  }

  /** Builds a {@link SubProcessUnit}. Not thread-safe. */
  public static final class Builder {
    private final ProcessClient client;
    private @Nullable String processKey;
    private @Nullable String keyVariable;
    private final Set<String> allowedKeys = new LinkedHashSet<>();
    private final Map<String, String> inputs = new LinkedHashMap<>();
    private final Map<String, String> outputs = new LinkedHashMap<>();
    private @Nullable Duration await;
    private String instanceIdVariable = DEFAULT_INSTANCE_ID_VARIABLE;

    private Builder(ProcessClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** Starts the process with this key (its latest version). */
    public Builder processKey(String key) {
      this.processKey = notBlank(key, "processKey");
      return this;
    }

    /** Starts the process the variable names, which must be one of {@code allowedKeys}. */
    public Builder processKeyFrom(String variable, String... allowedKeys) {
      this.keyVariable = notBlank(variable, "variable");
      if (allowedKeys.length == 0) {
        throw new IllegalArgumentException("processKeyFrom needs the keys a model may name");
      }
      for (String k : allowedKeys) {
        this.allowedKeys.add(notBlank(k, "allowed key"));
      }
      return this;
    }

    /** Passes the job's variable {@code parent} to the child as {@code child}. */
    public Builder input(String parent, String child) {
      inputs.put(notBlank(parent, "parent"), notBlank(child, "child"));
      return this;
    }

    /** Waits up to {@code timeout} for the child's end and maps its variables back. Default: no wait. */
    public Builder awaitResult(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("awaitResult timeout must be positive");
      }
      this.await = timeout;
      return this;
    }

    /** With {@link #awaitResult}, writes the child's variable {@code child} to the job as {@code parent}. */
    public Builder output(String child, String parent) {
      outputs.put(notBlank(child, "child"), notBlank(parent, "parent"));
      return this;
    }

    /** The variable receiving the child's instance id. Default {@value #DEFAULT_INSTANCE_ID_VARIABLE}. */
    public Builder instanceIdVariable(String name) {
      this.instanceIdVariable = notBlank(name, "instanceIdVariable");
      return this;
    }

    /**
     * Builds the unit.
     *
     * @throws IllegalStateException without a process key (fixed or from a variable), with both, or
     *     with outputs but no await
     */
    public SubProcessUnit build() {
      if ((processKey == null) == (keyVariable == null)) {
        throw new IllegalStateException("SubProcessUnit needs exactly one of processKey(key) and "
            + "processKeyFrom(variable, allowedKeys...)");
      }
      if (!outputs.isEmpty() && await == null) {
        throw new IllegalStateException("output mappings need awaitResult(timeout): without waiting there is no result");
      }
      return new SubProcessUnit(this);
    }

    private static String notBlank(String v, String what) {
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(what + " is blank");
      }
      return v;
    }
  }
}
