package io.polyworker.units;

import io.polyworker.Job;
import io.polyworker.Variables;
import io.polyworker.internal.DefaultVariables;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** A job made by hand, for calling a unit directly. */
final class TestJobs {
  private TestJobs() {}

  static Job job(Map<String, ?> variables) {
    Variables vars = DefaultVariables.of(new HashMap<>(variables));
    return new Job() {
      @Override public String id() { return "job-1"; }
      @Override public String topic() { return "unit"; }
      @Override public String engine() { return "test"; }
      @Override public String processInstanceId() { return "pi-1"; }
      @Override public String processDefinitionKey() { return null; }
      @Override public String elementId() { return "task"; }
      @Override public String businessKey() { return null; }
      @Override public String tenantId() { return null; }
      @Override public Integer retries() { return 3; }
      @Override public Instant lockExpiresAt() { return Instant.now().plusSeconds(30); }
      @Override public Map<String, String> headers() { return Map.of(); }
      @Override public Variables variables() { return vars; }
      @Override public boolean isLockLost() { return false; }
      @Override public <T> T unwrap(Class<T> type) { throw new IllegalArgumentException("no native job"); }
    };
  }
}
