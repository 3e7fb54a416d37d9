package io.polyworker.camunda;

import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.EngineProvider;
import io.polyworker.support.internal.ConfigAuth;
import io.polyworker.support.internal.ConfigErrors;

/**
 * Creates a Camunda engine from {@link EngineConfig}: the keys of {@link CamundaEngine#CONFIG_KEYS},
 * {@code polyworker.url} the {@code .../engine-rest} URL, auth {@code none}, {@code basic} or
 * {@code bearer}.
 *
 * <p>Registered for {@link java.util.ServiceLoader}; applications use {@link CamundaEngine} or
 * {@code Engines.fromConfig}, not this class.
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
