package io.polyworker.camunda.internal;

import io.polyworker.engine.Engine;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.support.internal.DefaultEngine;
import io.polyworker.support.internal.HttpSettings;

/**
 * Builds the {@link Engine} behind {@link CamundaEngine.Builder#build()}: one REST conversation
 * (one OkHttp client) shared by the job and process clients. {@link Engine#close()} stops the
 * background message retries, then shuts down the HTTP threads and connections (a shared client is
 * left alone); closing only the job client, as a worker may, shuts down the HTTP side alone.
 */
public final class CamundaEngineFactory {
  private CamundaEngineFactory() {}

  /** The engine; does not contact the server. */
  public static Engine create(HttpSettings settings) {
    CamundaHttp http = new CamundaHttp(settings);
    CamundaJobClient jobs = new CamundaJobClient(http);
    CamundaProcessClient processes = new CamundaProcessClient(http);
    return new DefaultEngine(CamundaEngine.ID, jobs, processes, () -> {
      processes.close();
      http.close();
    }, "CamundaEngine[" + http + "]");
  }
}
