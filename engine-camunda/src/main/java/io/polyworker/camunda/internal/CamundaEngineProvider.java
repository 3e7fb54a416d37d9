package io.polyworker.camunda.internal;

import io.polyworker.Engine;
import io.polyworker.EngineConfig;
import io.polyworker.PolyworkerException;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.support.internal.ConfigAuth;
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
    CamundaEngine.Builder b = CamundaEngine.builder();
    try {
      b.baseUrl(config.require(EngineConfig.URL));
    } catch (IllegalArgumentException e) {
      // The builder's message names the problem without quoting user info.
      throw new PolyworkerException("setting " + EngineConfig.URL + " (environment variable "
          + EngineConfig.envName(EngineConfig.URL) + "): " + e.getMessage());
    }
    ConfigAuth.apply(config, CamundaEngine.ID, b::basicAuth, b::bearerToken, "");
    return b.build();
  }
}
