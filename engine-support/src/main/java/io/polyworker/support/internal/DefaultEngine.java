package io.polyworker.support.internal;

import io.polyworker.engine.Engine;
import io.polyworker.ProcessClient;
import io.polyworker.spi.EngineClient;
import java.util.Objects;

/**
 * The one {@link Engine} of every engine module: what the module's builder made (a job client and a
 * process client over one connection) under the module's engine id. The module says what
 * {@link #close()} releases, in which order, and whether a second close does anything; this class
 * adds nothing to it. Thread-safe when the clients are. Loads no HTTP or gRPC classes, so the gRPC
 * engine uses it as well as the REST engines.
 */
public final class DefaultEngine implements Engine {
  private final String id;
  private final EngineClient jobs;
  private final ProcessClient processes;
  private final Runnable close;
  private final String description;

  /**
   * @param id the engine id
   * @param jobs the job client
   * @param processes the process client
   * @param close releases connections and threads: what {@link #close()} runs, every time it is called
   * @param description what {@link #toString()} answers; never a secret
   */
  public DefaultEngine(String id, EngineClient jobs, ProcessClient processes, Runnable close,
      String description) {
    this.id = Objects.requireNonNull(id, "id");
    this.jobs = Objects.requireNonNull(jobs, "jobs");
    this.processes = Objects.requireNonNull(processes, "processes");
    this.close = Objects.requireNonNull(close, "close");
    this.description = Objects.requireNonNull(description, "description");
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public ProcessClient processClient() {
    return processes;
  }

  @Override
  public EngineClient jobClient() {
    return jobs;
  }

  @Override
  public void close() {
    close.run();
  }

  @Override
  public String toString() {
    return description;
  }
}
