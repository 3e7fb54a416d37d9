package io.polyworker.support.internal;

import io.polyworker.spi.EngineCapabilities;
import io.polyworker.spi.EngineClient;
import java.util.Objects;

/**
 * What every engine's {@link EngineClient} states the same way: the engine id it names in jobs,
 * events and errors, and its capabilities, both fixed when the client is made. Thread-safe.
 */
public abstract class EngineClientBase implements EngineClient {
  private final String engineId;
  private final EngineCapabilities capabilities;

  protected EngineClientBase(String engineId, EngineCapabilities capabilities) {
    this.engineId = Objects.requireNonNull(engineId, "engineId");
    this.capabilities = Objects.requireNonNull(capabilities, "capabilities");
  }

  @Override
  public final String engineId() {
    return engineId;
  }

  @Override
  public final EngineCapabilities capabilities() {
    return capabilities;
  }
}
