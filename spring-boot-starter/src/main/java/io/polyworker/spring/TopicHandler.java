package io.polyworker.spring;

import io.polyworker.JobHandler;
import java.util.Objects;

/**
 * A bean that subscribes a handler to a topic from code rather than by annotation: declare
 * {@code @Bean TopicHandler charge() { return new TopicHandler("charge-card", handler); }}. The
 * starter's work units configured by {@code polyworker.units.*} arrive this way. The subscription
 * takes the worker defaults and {@code polyworker.subscriptions.<topic>.*}, like an annotated handler.
 *
 * @param topic the topic (Zeebe job type)
 * @param handler the handler
 */
public record TopicHandler(String topic, JobHandler handler) {
  public TopicHandler {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("topic is blank");
    }
    Objects.requireNonNull(handler, "handler");
  }
}
