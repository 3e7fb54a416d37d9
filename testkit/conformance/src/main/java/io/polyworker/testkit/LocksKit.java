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
    HeldJob held = holdOneJob(Duration.ofSeconds(2));
    Instant newExpiry = client().extendLock(held.job(), held.worker(), Duration.ofSeconds(20));
    assertThat(newExpiry).isAfter(Instant.now().plusSeconds(15));
    String w2 = unique("w2");
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8))
        .until(() -> fetch(w2, held.topic(), 1, Duration.ofSeconds(30)).isEmpty());
    client().complete(held.job(), held.worker(), Map.of(), Map.of());
  }

  @Test
  @DisplayName("after lock expiry another worker gets the job and the first worker's result is rejected as lock lost")
  void expiredLockIsLost() {
    require(Capability.LOCK_OWNERSHIP);
    HeldJob first = holdOneJob(Duration.ofSeconds(1));
    String w2 = unique("w2");
    LockedJob second = fetchOne(w2, first.topic(), Duration.ofSeconds(30));
    assertThat(second.id()).isEqualTo(first.job().id());
    assertThatThrownBy(() -> client().complete(first.job(), first.worker(), Map.of(), Map.of()))
        .isInstanceOf(JobLockLostException.class);
    client().complete(second, w2, Map.of(), Map.of());
  }

  @Test
  @DisplayName("release makes the job fetchable at once, retries unchanged")
  void releaseMakesJobFetchable() {
    require(Capability.RELEASE);
    HeldJob held = holdOneJob(Duration.ofSeconds(60));
    client().release(held.job(), held.worker());
    String w2 = unique("w2");
    List<LockedJob> got = new ArrayList<>();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> got.addAll(fetch(w2, held.topic(), 1, Duration.ofSeconds(30))));
    assertThat(got.get(0).id()).isEqualTo(held.job().id());
    assertThat(got.get(0).retries()).isEqualTo(held.job().retries());
  }
}
