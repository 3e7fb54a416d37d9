package io.polyworker.testkit;

import io.polyworker.Engine;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the {@link EngineCompatibilityKit} needs from an engine module's test: a connected
 * {@link Engine} on a real server, the BPMN dialect, and a few read-only questions about process
 * instances that only the engine's own query API can answer. Created once per test class.
 */
public interface EngineFixture extends AutoCloseable {

  /** An engine connected to the real server under test. */
  Engine engine();

  /** How BPMN is written for this engine. */
  Dialect dialect();

  /** The state of a process instance (from history where the engine keeps it). */
  InstanceState instanceState(String processInstanceId);

  /** Whether the instance has an open incident (Camunda, Zeebe) or a dead-letter job (Flowable). */
  boolean hasIncident(String processInstanceId);

  /** The instance's process-scope variables (from history where the instance ended). */
  Map<String, @Nullable Object> processVariables(String processInstanceId);

  /**
   * Task-local variables written when the job of {@code elementId} completed; only asked where the
   * engine has {@link io.polyworker.spi.Capability#LOCAL_VARIABLES}.
   */
  default Map<String, @Nullable Object> localVariables(String processInstanceId, String elementId) {
    throw new UnsupportedOperationException("no local variables");
  }

  /** An id of the engine's format that names no process instance. */
  default String unknownInstanceId() {
    return "00000000-0000-0000-0000-000000000000";
  }

  /**
   * An engine of the same kind talking to {@code url} instead of the real server, used to feed it
   * malformed answers from a fake HTTP server; empty for engines that do not speak HTTP.
   */
  default Optional<Engine> engineAt(URI url) {
    return Optional.empty();
  }

  /** Closes the engine (not the server, which is shared). */
  @Override
  default void close() {
    engine().close();
  }
}
