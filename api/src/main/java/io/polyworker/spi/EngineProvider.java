package io.polyworker.spi;

import io.polyworker.Engine;
import io.polyworker.EngineConfig;

/**
 * Creates engines from configuration; found through {@link java.util.ServiceLoader} by
 * {@link io.polyworker.Engines#fromConfig(EngineConfig)} only. Each engine module registers one in
 * {@code META-INF/services/io.polyworker.spi.EngineProvider}. Implementations must have a public
 * no-argument constructor and must not throw from it.
 */
public interface EngineProvider {

  /** The id users put in {@code POLYWORKER_ENGINE}: {@code camunda}, {@code flowable}, {@code zeebe}. */
  String id();

  /** Creates an engine; a setting that is missing or wrong raises an exception that names it. */
  Engine create(EngineConfig config);
}
