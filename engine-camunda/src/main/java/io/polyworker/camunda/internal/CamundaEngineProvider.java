package io.polyworker.camunda.internal;

import io.polyworker.Engine;
import io.polyworker.EngineConfig;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.spi.EngineProvider;
import io.polyworker.support.internal.ConfigAuth;
import io.polyworker.support.internal.ConfigErrors;

/**
 * Creates a Camunda engine from {@link EngineConfig}: the keys of {@link CamundaEngine#CONFIG_KEYS},
 * {@code polyworker.url} the {@code .../engine-rest} URL, auth {@code none}, {@code basic} or
 * {@code bearer}.
 */
public final class CamundaEngineProvider implements EngineProvider {
  @Override
  public String id() {
    return CamundaEngine.ID;
  }

  @Override
  public Engine create(EngineConfig config) {
    CamundaEngine.Builder b = CamundaEngine.builder();
    // The builder's message names the problem without quoting user info.
    ConfigErrors.require(config, EngineConfig.URL, b::baseUrl);
    ConfigAuth.apply(config, CamundaEngine.ID, b::basicAuth, b::bearerToken, "");
    return b.build();
  }
}
