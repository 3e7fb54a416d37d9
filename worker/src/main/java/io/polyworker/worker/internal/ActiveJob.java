package io.polyworker.worker.internal;

import io.polyworker.Job;
import io.polyworker.Variables;
import io.polyworker.internal.DefaultVariables;
import io.polyworker.spi.LockedJob;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/** The {@link Job} a handler sees: a {@link LockedJob} plus the lock state the runtime keeps up to date. */
final class ActiveJob implements Job {
  private final LockedJob locked;
  private final Variables variables;
  private volatile Instant lockExpiresAt;
  private final AtomicBoolean lockLost = new AtomicBoolean();

  ActiveJob(LockedJob locked) {
    this.locked = locked;
    this.variables = DefaultVariables.of(locked.variables());
    this.lockExpiresAt = locked.lockExpiresAt();
  }

  LockedJob locked() {
    return locked;
  }

  void lockExtendedTo(Instant expiry) {
    lockExpiresAt = expiry;
  }

  /** Marks the lock lost; true for exactly one caller, the first (so one LOCK_LOST per lock). */
  boolean markLockLost() {
    return lockLost.compareAndSet(false, true);
  }

  @Override public String id() { return locked.id(); }
  @Override public String topic() { return locked.topic(); }
  @Override public String engine() { return locked.engine(); }
  @Override public String processInstanceId() { return locked.processInstanceId(); }
  @Override public @Nullable String processDefinitionKey() { return locked.processDefinitionKey(); }
  @Override public String elementId() { return locked.elementId(); }
  @Override public @Nullable String businessKey() { return locked.businessKey(); }
  @Override public @Nullable String tenantId() { return locked.tenantId(); }
  @Override public @Nullable Integer retries() { return locked.retries(); }
  @Override public Instant lockExpiresAt() { return lockExpiresAt; }
  @Override public Map<String, String> headers() { return locked.headers(); }
  @Override public Variables variables() { return variables; }
  @Override public boolean isLockLost() { return lockLost.get(); }

  @Override
  public <T> T unwrap(Class<T> type) {
    Object nativeJob = locked.nativeJob();
    if (!type.isInstance(nativeJob)) {
      throw new IllegalArgumentException("the " + locked.engine() + " job is a "
          + nativeJob.getClass().getName() + ", not a " + type.getName());
    }
    return type.cast(nativeJob);
  }

  @Override
  public String toString() {
    return "Job[" + locked.engine() + " " + id() + " topic=" + topic() + "]";
  }
}
