package io.polyworker.engine;

import io.polyworker.ProcessClient;
import io.polyworker.spi.EngineCapabilities;
import io.polyworker.spi.EngineClient;

/**
 * A connection to one process engine: made by an engine module's builder (for example
 * {@code CamundaEngine.builder().baseUrl(..).build()}) or by {@link Engines#fromConfig(EngineConfig)}.
 * Hand it to {@code JobWorker.builder(engine)} to run handlers, or use {@link #processClient()} to
 * drive processes.
 *
 * <p>Thread-safe; share one per engine and application. {@link #close()} releases connections and
 * threads; close workers first.
 */
public interface Engine extends AutoCloseable {

  /** The engine id: {@code camunda}, {@code flowable}, {@code zeebe}. */
  String id();

  /** What this engine can do. */
  default EngineCapabilities capabilities() {
    return jobClient().capabilities();
  }

  /** Deploy definitions, start and drive process instances. */
  ProcessClient processClient();

  /** The job operations behind {@code JobWorker}; see {@link EngineClient}. */
  EngineClient jobClient();

  /** Closes connections and threads. */
  @Override
  void close();
}
