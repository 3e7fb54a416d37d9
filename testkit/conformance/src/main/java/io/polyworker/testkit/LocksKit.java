package io.polyworker.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.polyworker.JobLockLostException;
import io.polyworker.spi.Capability;
import io.polyworker.spi.LockedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts on job locks: extension, expiry and its lost result, release. Run by the
 * {@link EngineCompatibilityKit} as its group "locks".
 */
abstract class LocksKit extends KitSupport {

  @Test
  @DisplayName("extendLock keeps the job from other workers past the original expiry")
  void extendLockKeepsJob() {
    require(Capability.LOCK_EXTENSION);
    String topic = topicWithOneJob();
    String w1 = unique("w1");
    LockedJob job = fetchOne(w1, topic, Duration.ofSeconds(2));
    Instant newExpiry = client().extendLock(job, w1, Duration.ofSeconds(20));
    assertThat(newExpiry).isAfter(Instant.now().plusSeconds(15));
    String w2 = unique("w2");
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8))
        .until(() -> fetch(w2, topic, 1, Duration.ofSeconds(30)).isEmpty());
    client().complete(job, w1, Map.of(), Map.of());
  }

  @Test
  @DisplayName("after lock expiry another worker gets the job and the first worker's result is rejected as lock lost")
  void expiredLockIsLost() {
    require(Capability.LOCK_OWNERSHIP);
    String topic = topicWithOneJob();
    String w1 = unique("w1");
    LockedJob first = fetchOne(w1, topic, Duration.ofSeconds(1));
    String w2 = unique("w2");
    LockedJob second = fetchOne(w2, topic, Duration.ofSeconds(30));
    assertThat(second.id()).isEqualTo(first.id());
    assertThatThrownBy(() -> client().complete(first, w1, Map.of(), Map.of()))
        .isInstanceOf(JobLockLostException.class);
    client().complete(second, w2, Map.of(), Map.of());
  }

  @Test
  @DisplayName("release makes the job fetchable at once, retries unchanged")
  void releaseMakesJobFetchable() {
    require(Capability.RELEASE);
    String topic = topicWithOneJob();
    String w1 = unique("w1");
    LockedJob job = fetchOne(w1, topic, Duration.ofSeconds(60));
    client().release(job, w1);
    String w2 = unique("w2");
    List<LockedJob> got = new ArrayList<>();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> got.addAll(fetch(w2, topic, 1, Duration.ofSeconds(30))));
    assertThat(got.get(0).id()).isEqualTo(job.id());
    assertThat(got.get(0).retries()).isEqualTo(job.retries());
  }
}
