package io.polyworker.worker.internal;

import io.polyworker.JobHandler;
import io.polyworker.SubscriptionOptions;

/**
 * A topic, its handler and its options, as {@code JobWorker.Builder.subscribe} collected them.
 *
 * @param topic the topic (Camunda/Flowable topic, Zeebe job type)
 * @param handler the handler
 * @param options the options
 */
public record Subscription(String topic, JobHandler handler, SubscriptionOptions options) {}
