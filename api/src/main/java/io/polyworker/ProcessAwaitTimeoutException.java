package io.polyworker;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The process instance did not end within the time {@link ProcessClient#startProcessAndAwait}
 * waited. It still runs: follow it later with {@link #processInstanceId()} — known on engines that
 * follow the instance themselves (Camunda 7, Flowable); {@code null} on Zeebe, whose
 * create-with-result call reports the instance key only with the result.
 */
public class ProcessAwaitTimeoutException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String processInstanceId;

  public ProcessAwaitTimeoutException(String engine, @Nullable String processInstanceId,
      Duration waited) {
    super(engine, "startProcessAndAwait", -1, null, (processInstanceId == null
        ? "the process instance" : "process instance " + processInstanceId)
        + " did not end within " + waited + "; it is still running", null);
    this.processInstanceId = processInstanceId;
  }

  /** The instance that is still running, or null where the engine does not say. */
  public @Nullable String processInstanceId() {
    return processInstanceId;
  }
}
