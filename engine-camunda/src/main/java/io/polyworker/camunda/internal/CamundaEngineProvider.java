package io.polyworker.camunda.internal;

import io.polyworker.Engine;
import io.polyworker.EngineConfig;
import io.polyworker.PolyworkerException;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.spi.EngineProvider;

/**
 * Creates a Camunda engine from {@link EngineConfig}: {@code polyworker.url} is the
 * {@code .../engine-rest} URL; auth {@code none}, {@code basic} or {@code bearer}.
 */
public final class CamundaEngineProvider implements EngineProvider {
  @Override
  public String id() {
    return CamundaEngine.ID;
  }

  @Override
  public Engine create(EngineConfig config) {
    CamundaEngine.Builder b = CamundaEngine.builder().baseUrl(config.require(EngineConfig.URL));
    switch (config.authType()) {
      case "none":
        break;
      case "basic":
        b.basicAuth(config.require(EngineConfig.USERNAME), config.require(EngineConfig.PASSWORD));
        break;
      case "bearer":
        b.bearerToken(config.require(EngineConfig.TOKEN));
        break;
      default:
        throw new PolyworkerException("engine camunda does not support auth '" + config.authType()
            + "' (" + EngineConfig.AUTH + "): use none, basic or bearer");
    }
    return b.build();
  }
}
