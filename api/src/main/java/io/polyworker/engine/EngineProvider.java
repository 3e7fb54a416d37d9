package io.polyworker.engine;

import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;

/**
 * Creates engines from configuration; found through {@link java.util.ServiceLoader} by
 * {@link io.polyworker.engine.Engines#fromConfig(EngineConfig)} only. Each engine module registers one in
 * {@code META-INF/services/io.polyworker.engine.EngineProvider}. Implementations must have a public
 * no-argument constructor and must not throw from it.
 */
public interface EngineProvider {

  /** The id users put in {@code POLYWORKER_ENGINE}: {@code camunda}, {@code flowable}, {@code zeebe}. */
  String id();

  /** Creates an engine; a setting that is missing or wrong raises an exception that names it. */
  Engine create(EngineConfig config);
}
