package io.polyworker.worker.internal;

import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerOptions;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the parts of one subscription's runtime share, made once by {@link SubscriptionRunner}: the
 * engine, the options, the events, the timer, the engine-call executor, the slots, the hand-backs
 * and the fetch template.
 */
record Parts(SubscriptionRunner runner, EngineClient client, WorkerOptions worker,
    SubscriptionOptions options, Events events, ScheduledExecutorService timer, Executor calls,
    Capacity capacity, Releases releases, FetchRequest template) {

  String topic() {
    return runner.topic();
  }

  /** "engine topic name": how the parts' log lines begin ({@link SubscriptionRunner#label()}). */
  String label() {
    return runner.label();
  }
}
