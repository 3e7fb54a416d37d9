package io.polyworker.testkit;

import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.Dialect;

import io.polyworker.engine.Engine;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
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

  /**
   * Whether fetched jobs carry the custom headers of their task ({@code TestProcess.header}: Camunda
   * extension properties, Zeebe task headers). False where the engine sends none with a job
   * (Flowable), so that their {@link io.polyworker.spi.LockedJob#headers()} stay empty.
   */
  default boolean jobsCarryHeaders() {
    return true;
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

  /**
   * A second engine of the same kind on the same server, whose way to the server a contract can
   * take away and give back (a {@code FaultProxy} of {@code testkit-engines} in between); every call
   * of it gives up after {@code requestTimeout}. Empty where the fixture cannot cut it off. The
   * caller closes it.
   */
  default Optional<Severable> severableEngine(Duration requestTimeout) {
    return Optional.empty();
  }

  /**
   * A second engine of the same kind on the same server that authenticates with the bearer tokens
   * {@code tokens} supplies. HTTP engines ask the supplier on every request; engines that cache
   * tokens (Zeebe's OAuth2 client credentials, through a token endpoint the fixture runs) ask it when
   * the token they hold is older than {@link #tokenLifetime()}. A supplier that throws makes that
   * request fail as an authentication failure. The local servers check no credentials, so any token
   * passes. Empty where the engine has no token authentication. The caller closes it.
   */
  default Optional<Engine> engineWithAuth(Supplier<String> tokens) {
    return Optional.empty();
  }

  /**
   * How long after the supplier last answered an engine from {@link #engineWithAuth} may keep using
   * that token; a request made later asks the supplier again. Zero: it asks on every request.
   */
  default Duration tokenLifetime() {
    return Duration.ZERO;
  }

  /**
   * How long after a lock or a retry backoff ends the engine itself may take to offer the job again,
   * beyond what the worker controls; zero where jobs are offered as soon as the time is up. Flowable
   * resets such locks in a background thread (every second in the local test server); the in-memory
   * Zeebe engine checks for ended backoffs and timeouts about once a second.
   */
  default Duration lockResetPeriod() {
    return Duration.ZERO;
  }

  /**
   * An engine with a way to the server that can be cut like a network partition: while cut, no
   * request reaches the server and no answer comes back, so every call waits for its timeout (a
   * black hole, not a refused connection, which would fail fast).
   */
  interface Severable extends AutoCloseable {
    /** The engine behind the cuttable connection. */
    Engine engine();

    /** Takes the server away: requests and answers stop passing, open connections stay open. */
    void cut();

    /** Gives the server back: connections cut meanwhile are reset, new requests pass. */
    void heal();

    /** Closes the engine, then what stands between it and the server. */
    @Override
    void close();

    /** A severable engine made of an engine and the actions that cut, heal and close its way. */
    static Severable of(Engine engine, Runnable cut, Runnable heal, Runnable closeAfterEngine) {
      Objects.requireNonNull(engine, "engine");
      Objects.requireNonNull(cut, "cut");
      Objects.requireNonNull(heal, "heal");
      Objects.requireNonNull(closeAfterEngine, "closeAfterEngine");
      return new Severable() {
        @Override
        public Engine engine() {
          return engine;
        }

        @Override
        public void cut() {
          cut.run();
        }

        @Override
        public void heal() {
          heal.run();
        }

        @Override
        public void close() {
          try {
            engine.close();
          } finally {
            closeAfterEngine.run();
          }
        }

        @Override
        public String toString() {
          return "Severable[" + engine + "]";
        }
      };
    }
  }

  /** Closes the engine (not the server, which is shared). */
  @Override
  default void close() {
    engine().close();
  }
}
