package io.polyworker.spring.internal;

import io.polyworker.spring.TopicHandler;
import java.util.List;

/**
 * Several handlers in one bean (the work units of {@code polyworker.units.*}); the handler scan takes
 * each as if it were a {@link TopicHandler} bean. Names no optional library, so the scan can test
 * for it whether or not polyworker-work-units is present.
 *
 * @param handlers the handlers, in order
 */
public record TopicHandlers(List<TopicHandler> handlers) {
  public TopicHandlers {
    handlers = List.copyOf(handlers);
  }
}
