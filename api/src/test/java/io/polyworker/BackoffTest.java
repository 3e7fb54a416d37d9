package io.polyworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void exponentialDoublesUpToTheCapWithJitter() {
    Backoff backoff = Backoff.exponential(Duration.ofMillis(1000), Duration.ofMillis(5000));
    Set<Long> firsts = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      Backoff.Sequence b = backoff.start();
      long first = b.next().toMillis();
      assertThat(first).isBetween(750L, 1250L);
      assertThat(b.next().toMillis()).isBetween(1500L, 2500L);
      assertThat(b.next().toMillis()).isBetween(3000L, 5000L);
      for (int k = 0; k < 5; k++) {
        assertThat(b.next().toMillis()).isBetween(3750L, 5000L);
      }
      b.reset();
      assertThat(b.isReset()).isTrue();
      firsts.add(first);
    }
    assertThat(firsts).as("jitter spreads the delays").hasSizeGreaterThan(5);
  }

  @Test
  void delayOfAnAttemptIsThePlainDoubling() {
    Backoff b = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2));
    assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(b.delay(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(b.delay(5)).isEqualTo(Duration.ofMillis(1600));
    assertThat(b.delay(6)).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.delay(1_000)).isEqualTo(Duration.ofSeconds(2));
    Backoff.Sequence plain = b.withoutJitter().start();
    assertThat(plain.next()).isEqualTo(b.delay(1));
    assertThat(plain.next()).isEqualTo(b.delay(2));
  }

  @Test
  void aSequenceSaysWhenItHasReachedItsCap() {
    Backoff.Sequence s = Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(80)).start();
    for (int i = 0; i < 3; i++) {
      assertThat(s.atMax()).as("before delay %d (10, 20, 40 ms)", i + 1).isFalse();
      s.next();
    }
    assertThat(s.atMax()).as("the next delay is 80 ms, the cap").isTrue();
    s.next();
    assertThat(s.atMax()).isTrue();
    s.reset();
    assertThat(s.atMax()).isFalse();
    assertThat(Backoff.fixed(Duration.ofMillis(5)).start().atMax()).as("a fixed backoff is always at its cap").isTrue();
  }

  @Test
  void fixedNeverChanges() {
    Backoff.Sequence s = Backoff.fixed(Duration.ofMillis(300)).start();
    for (int i = 0; i < 5; i++) {
      assertThat(s.next()).isEqualTo(Duration.ofMillis(300));
    }
  }

  @Test
  void invalidBackoffsNameTheProblem() {
    assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("> max");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(2)).delay(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void workerOptionsDefaultsArePublicConstants() {
    WorkerOptions o = WorkerOptions.builder().build();
    assertThat(o.pollErrorBackoff()).isEqualTo(WorkerOptions.DEFAULT_POLL_ERROR_BACKOFF);
    assertThat(o.emptyPollBackoff()).isEqualTo(WorkerOptions.DEFAULT_EMPTY_POLL_BACKOFF);
    assertThat(o.reportRetryBackoff()).isEqualTo(WorkerOptions.DEFAULT_REPORT_RETRY_BACKOFF);
    assertThat(o.pollErrorBackoff().initial()).isEqualTo(Duration.ofMillis(100));
    assertThat(o.pollErrorBackoff().max()).isEqualTo(Duration.ofSeconds(10));
    assertThat(WorkerOptions.builder().emptyPollBackoff(Duration.ofMillis(5), Duration.ofMillis(50)).build()
        .emptyPollBackoff()).isEqualTo(Backoff.exponential(Duration.ofMillis(5), Duration.ofMillis(50)));
  }
}
