package io.polyworker.flowable.internal;

import io.polyworker.engine.Engine;
import io.polyworker.flowable.FlowableEngine;
import io.polyworker.support.internal.DefaultEngine;
import io.polyworker.support.internal.HttpSettings;

/**
 * Builds the {@link Engine} behind {@link FlowableEngine.Builder#build()}: one REST conversation
 * (one OkHttp client) for both of the server's APIs, shared by the job and process clients.
 * {@link Engine#close()} stops the background message retries, then shuts down the HTTP threads and
 * connections (a shared client is left alone); closing only the job client, as a worker may, shuts
 * down the HTTP side alone.
 */
public final class FlowableEngineFactory {
  private FlowableEngineFactory() {}

  /**
   * The engine; does not contact the server.
   *
   * @param processApiPath path of the process REST API below the server root
   * @param jobApiPath path of the external worker job REST API below the server root
   */
  public static Engine create(HttpSettings settings, String processApiPath, String jobApiPath) {
    FlowableHttp http = new FlowableHttp(settings, processApiPath, jobApiPath);
    FlowableJobClient jobs = new FlowableJobClient(http);
    FlowableProcessClient processes = new FlowableProcessClient(http);
    return new DefaultEngine(FlowableEngine.ID, jobs, processes, () -> {
      processes.close();
      http.close();
    }, "FlowableEngine[" + http + "]");
  }
}
