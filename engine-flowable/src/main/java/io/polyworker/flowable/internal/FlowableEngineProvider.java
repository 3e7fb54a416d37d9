package io.polyworker.flowable.internal;

import io.polyworker.Engine;
import io.polyworker.EngineConfig;
import io.polyworker.PolyworkerException;
import io.polyworker.flowable.FlowableEngine;
import io.polyworker.support.internal.ConfigAuth;
import io.polyworker.spi.EngineProvider;

/**
 * Creates a Flowable engine from {@link EngineConfig}: {@code polyworker.url} is the server root;
 * auth {@code none}, {@code basic} or {@code bearer}; {@value #PROCESS_API_PATH} and
 * {@value #JOB_API_PATH} override the API paths below the root.
 */
public final class FlowableEngineProvider implements EngineProvider {
  /** Config key: path of the process REST API, default {@code /process-api}. */
  public static final String PROCESS_API_PATH = "polyworker.flowable.process-api-path";
  /** Config key: path of the external worker job REST API, default {@code /external-job-api}. */
  public static final String JOB_API_PATH = "polyworker.flowable.external-job-api-path";

  @Override
  public String id() {
    return FlowableEngine.ID;
  }

  @Override
  public Engine create(EngineConfig config) {
    FlowableEngine.Builder b = FlowableEngine.builder();
    String url = config.require(EngineConfig.URL);
    try {
      b.baseUrl(url);
    } catch (IllegalArgumentException e) {
      // The builder's message names the problem without quoting user info.
      throw new PolyworkerException("setting " + EngineConfig.URL + " (environment variable "
          + EngineConfig.envName(EngineConfig.URL) + "): " + e.getMessage());
    }
    String processApi = config.get(PROCESS_API_PATH);
    if (processApi != null) {
      b.processApiPath(processApi);
    }
    String jobApi = config.get(JOB_API_PATH);
    if (jobApi != null) {
      b.externalJobApiPath(jobApi);
    }
    ConfigAuth.apply(config, FlowableEngine.ID, b::basicAuth, b::bearerToken, ", or build the engine"
        + " with FlowableEngine.builder().tokenSupplier(..) for tokens that change");
    return b.build();
  }
}
