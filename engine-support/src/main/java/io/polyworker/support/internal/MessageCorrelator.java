package io.polyworker.support.internal;

import io.polyworker.Backoff;
import io.polyworker.MessageAlreadyExistsException;
import io.polyworker.NotFoundException;
import io.polyworker.PublishMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Message publication for engines that only correlate immediately (Camunda 7, Flowable): a message
 * with a time to live that finds no subscription is retried in the background with backoff until it
 * matches or its time to live ends; message ids are remembered while their message lives, so a
 * duplicate raises {@link MessageAlreadyExistsException}. Both only within this client instance.
 */
public final class MessageCorrelator implements AutoCloseable {
  /** Between correlation attempts of a message that found no subscription yet. */
  static final Backoff RETRY = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2))
      .withoutJitter();

  private final String engine;
  private final Logger log;
  private final Map<String, Instant> liveIds = new ConcurrentHashMap<>();
  private final ScheduledThreadPoolExecutor retries;

  public MessageCorrelator(String engine) {
    this.engine = engine;
    this.log = LoggerFactory.getLogger("io.polyworker.engine." + engine);
    this.retries = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "polyworker-" + engine + "-messages");
      t.setDaemon(true);
      return t;
    });
    retries.setRemoveOnCancelPolicy(true);
  }

  /**
   * Publishes through {@code correlateOnce}, which returns the reached instance id or throws
   * {@link NotFoundException} when nothing waits for the message.
   */
  public @Nullable String publish(PublishMessage message, Function<PublishMessage, String> correlateOnce) {
    Instant now = Instant.now();
    Instant expiry = now.plus(message.timeToLive());
    if (message.messageId() != null) {
      liveIds.values().removeIf(e -> e.isBefore(now));
      Instant previous = liveIds.putIfAbsent(message.messageId(), expiry);
      if (previous != null) {
        throw new MessageAlreadyExistsException(engine, "publishMessage", -1, null,
            "a message with id '" + message.messageId() + "' was already published and lives until "
                + previous, null);
      }
    }
    try {
      return correlateOnce.apply(message);
    } catch (NotFoundException e) {
      if (message.timeToLive().isZero()) {
        forget(message);
        throw e;
      }
      log.debug("message {} ({}) waits for a subscription until {}", message.name(),
          message.correlationKey(), expiry);
      schedule(message, correlateOnce, expiry, 1);
      return null;
    } catch (RuntimeException e) {
      forget(message);
      throw e;
    }
  }

  private void schedule(PublishMessage message, Function<PublishMessage, String> correlateOnce,
      Instant expiry, int attempt) {
    if (retries.isShutdown()) {
      return;
    }
    Duration delay = RETRY.delay(attempt);
    retries.schedule(() -> {
      try {
        String instance = correlateOnce.apply(message);
        log.debug("message {} ({}) reached instance {}", message.name(), message.correlationKey(), instance);
      } catch (RuntimeException e) {
        boolean retryable = e instanceof NotFoundException
            || (e instanceof io.polyworker.PolyworkerException p && p.isRetryable());
        if (retryable && Instant.now().plus(RETRY.delay(attempt + 1)).isBefore(expiry)) {
          schedule(message, correlateOnce, expiry, attempt + 1);
        } else {
          log.warn("message {} ({}) expired without reaching a subscription: {}", message.name(),
              message.correlationKey(), e.getMessage());
        }
      }
    }, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void forget(PublishMessage message) {
    if (message.messageId() != null) {
      liveIds.remove(message.messageId());
    }
  }

  @Override
  public void close() {
    retries.shutdownNow();
  }
}
