package io.polyworker.flowable;

import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.EngineProvider;
import io.polyworker.support.internal.ConfigAuth;
import io.polyworker.support.internal.ConfigErrors;

/**
 * Creates a Flowable engine from {@link EngineConfig}: the keys of {@link FlowableEngine#CONFIG_KEYS},
 * {@code polyworker.url} the server root, auth {@code none}, {@code basic} or {@code bearer},
 * {@value FlowableEngine#PROCESS_API_PATH} and {@value FlowableEngine#EXTERNAL_JOB_API_PATH} the API
 * paths below the root.
 *
 * <p>Registered for {@link java.util.ServiceLoader}; applications use {@link FlowableEngine} or
 * {@code Engines.fromConfig}, not this class.
 */
public final class FlowableEngineProvider implements EngineProvider {
  @Override
  public String id() {
    return FlowableEngine.ID;
  }

  @Override
  public Engine create(EngineConfig config) {
    FlowableEngine.Builder b = FlowableEngine.builder();
    // The builder's message names the problem without quoting user info.
    ConfigErrors.require(config, EngineConfig.URL, b::baseUrl);
    String processApi = config.get(FlowableEngine.PROCESS_API_PATH);
    if (processApi != null) {
      b.processApiPath(processApi);
    }
    String jobApi = config.get(FlowableEngine.EXTERNAL_JOB_API_PATH);
    if (jobApi != null) {
      b.externalJobApiPath(jobApi);
    }
    ConfigAuth.apply(config, FlowableEngine.ID, b::basicAuth, b::bearerToken, ", or build the engine"
        + " with FlowableEngine.builder().tokenSupplier(..) for tokens that change");
    return b.build();
  }
}
