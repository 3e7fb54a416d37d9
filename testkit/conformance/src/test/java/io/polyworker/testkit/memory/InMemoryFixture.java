package io.polyworker.testkit.memory;

import io.polyworker.engine.Engine;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.EngineFixture;
import io.polyworker.testkit.common.InstanceState;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Runs the {@link io.polyworker.testkit.EngineCompatibilityKit} against an {@link InMemoryEngine},
 * answering the kit's questions from the engine's own state. The engine speaks no HTTP, so the
 * kit's malformed-answer contracts are skipped with that reason.
 */
public final class InMemoryFixture implements EngineFixture {
  private final InMemoryEngine engine;

  /** A fixture over a fresh engine with long polling on. */
  public InMemoryFixture() {
    this(InMemoryEngine.builder().longPolling(true).build());
  }

  /** A fixture over the given engine (closed with the fixture). */
  public InMemoryFixture(InMemoryEngine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  @Override
  public Engine engine() {
    return engine;
  }

  /** The engine under test, with its inspection and fault-injection methods. */
  public InMemoryEngine inMemoryEngine() {
    return engine;
  }

  /** {@link Dialect#CAMUNDA}; the engine reads every dialect. */
  @Override
  public Dialect dialect() {
    return Dialect.CAMUNDA;
  }

  /** {@link InstanceState#TERMINATED} for cancelled instances. */
  @Override
  public InstanceState instanceState(String processInstanceId) {
    return engine.instanceState(processInstanceId);
  }

  /** An id of this engine's format ({@code instance-<n>}) that it never gives out: numbers start at 1. */
  @Override
  public String unknownInstanceId() {
    return "instance-0";
  }

  @Override
  public boolean hasIncident(String processInstanceId) {
    return engine.hasIncident(processInstanceId);
  }

  @Override
  public Map<String, @Nullable Object> processVariables(String processInstanceId) {
    return engine.processVariables(processInstanceId);
  }

  @Override
  public Map<String, @Nullable Object> localVariables(String processInstanceId, String elementId) {
    return engine.localVariables(processInstanceId, elementId);
  }
}
