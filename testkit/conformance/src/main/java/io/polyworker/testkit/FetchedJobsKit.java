package io.polyworker.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.spi.Capability;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.TestProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts on the jobs a fetch returns: every field populated, variables with their types, the
 * variable and business key filters, no more jobs than asked for, and several topics in one fetch
 * where the engine has it. Run by the
 * {@link EngineCompatibilityKit} as its group "fetched jobs".
 */
abstract class FetchedJobsKit extends KitSupport {

  @Test
  @DisplayName("every job field is populated")
  void everyFieldIsPopulated() {
    String topic = unique("t");
    TestProcess p = deploy(simple(topic).header("region", "eu"));
    String businessKey = unique("bk");
    String instance = start(p, Map.of("count", 7), businessKey);
    Instant before = Instant.now();
    LockedJob job = fetchOne(unique("w"), topic, Duration.ofSeconds(30));

    assertThat(job.engine()).isEqualTo(engine().id());
    assertThat(job.id()).isNotBlank();
    assertThat(job.topic()).isEqualTo(topic);
    assertThat(job.processInstanceId()).isEqualTo(instance);
    assertThat(job.processDefinitionKey()).isEqualTo(p.id());
    assertThat(job.elementId()).isEqualTo("task");
    assertThat(job.lockExpiresAt()).isAfter(before.plusSeconds(20)).isBefore(Instant.now().plusSeconds(40));
    assertThat(job.variables()).containsEntry("count", 7);
    assertThat(job.nativeJob()).isNotNull();
    if (engine().capabilities().has(Capability.BUSINESS_KEY_FILTER)) {
      assertThat(job.businessKey()).isEqualTo(businessKey);
    }
    if (fixture().jobsCarryHeaders()) {
      assertThat(job.headers()).containsEntry("region", "eu");
    }
    if (job.retries() != null) {
      assertThat(job.retries()).isPositive();
    }
  }

  @Test
  @DisplayName("typed variables arrive with their types and convert to POJOs")
  void typedVariables() {
    String topic = unique("t");
    start(deploySimple(topic), sampleVariables(), null);
    LockedJob job = fetchOne(topic);
    assertSampleVariables(job.variables());
  }

  @Test
  @DisplayName("the variables filter fetches only the named variables")
  void variablesFilter() {
    require(Capability.VARIABLE_FILTER);
    String topic = unique("t");
    start(deploySimple(topic), Map.of("wanted", 1, "unwanted", 2), null);
    FetchRequest request = new FetchRequest(unique("w"), topic, 1, Duration.ofSeconds(30),
        List.of("wanted"), Duration.ZERO, null, null, null, false);
    LockedJob job = fetchOne(request);
    assertThat(job.variables()).containsOnlyKeys("wanted");
  }

  @Test
  @DisplayName("the business key filter fetches only that instance's jobs")
  void businessKeyFilter() {
    require(Capability.BUSINESS_KEY_FILTER);
    String topic = unique("t");
    TestProcess p = deploySimple(topic);
    start(p, Map.of(), "other");
    String wanted = start(p, Map.of(), "wanted");
    FetchRequest request = new FetchRequest(unique("w"), topic, 5, Duration.ofSeconds(30), null,
        Duration.ZERO, "wanted", null, null, false);
    LockedJob job = fetchOne(request);
    assertThat(job.processInstanceId()).isEqualTo(wanted);
    assertThat(fetch(request)).isEmpty();
  }

  @Test
  @DisplayName("fetch asks for at most the free capacity")
  void maxJobsIsHonoured() {
    String topic = unique("t");
    startInstances(deploySimple(topic), 3);
    String w = unique("w");
    List<LockedJob> all = new ArrayList<>();
    await().atMost(PATIENCE).until(() -> {
      List<LockedJob> got = fetch(w, topic, 2, Duration.ofSeconds(30));
      assertThat(got.size()).isLessThanOrEqualTo(2);
      all.addAll(got);
      return all.size() == 3;
    });
  }

  @Test
  @DisplayName("a probe for waiting jobs says yes while a job of the topic waits, and the job is then fetched as usual")
  void aProbeSeesAWaitingJob() {
    require(Capability.JOB_PROBE);
    String topic = unique("probe");
    String instance = start(deploySimple(topic), Map.of(), null);
    FetchRequest request = FetchRequest.of(unique("w"), topic, 1, Duration.ofSeconds(30));
    // Engines create jobs asynchronously: the probe may say no until the job is there, never later.
    await("the probe sees the waiting job").atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
        .until(() -> client().jobsWaiting(List.of(request)));
    LockedJob job = fetchOne(request);
    assertThat(job.processInstanceId()).isEqualTo(instance);
    client().complete(job, request.workerId(), Map.of(), Map.of());
  }

  @Test
  @DisplayName("one fetch for several topics locks jobs of each, with each topic's lock duration and variables, and no more than asked for in total")
  void severalTopicsInOneFetch() {
    require(Capability.MULTI_TOPIC_FETCH);
    String shortLock = unique("short");
    String longLock = unique("long");
    for (int i = 0; i < 2; i++) {
      start(deploySimple(shortLock), Map.of("wanted", 1, "unwanted", 2), null);
      start(deploySimple(longLock), Map.of("wanted", 1, "unwanted", 2), null);
    }
    String w = unique("w");
    List<FetchRequest> both = List.of(
        new FetchRequest(w, shortLock, 3, Duration.ofSeconds(10), List.of("wanted"), Duration.ZERO,
            null, null, null, false),
        new FetchRequest(w, longLock, 3, Duration.ofSeconds(40), null, Duration.ZERO, null, null,
            null, false));
    List<LockedJob> all = new ArrayList<>();
    Instant before = Instant.now();
    await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> {
      List<LockedJob> got = client().fetchAndLock(both).get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(got.size()).as("jobs of one fetch asking for 3").isLessThanOrEqualTo(3);
      all.addAll(got);
      return all.size() == 4;
    });
    for (LockedJob job : all) {
      if (job.topic().equals(shortLock)) {
        assertThat(job.variables()).as("variables of a job of %s", shortLock).containsOnlyKeys("wanted");
        assertThat(job.lockExpiresAt()).isBefore(Instant.now().plusSeconds(20));
      } else {
        assertThat(job.topic()).isEqualTo(longLock);
        assertThat(job.variables()).containsKeys("wanted", "unwanted");
        assertThat(job.lockExpiresAt()).isAfter(before.plusSeconds(30));
      }
    }
    assertThat(all).extracting(LockedJob::topic).containsOnly(shortLock, longLock)
        .filteredOn(shortLock::equals).hasSize(2);
  }

  @Test
  @DisplayName("a long poll over several topics answers as soon as a job of any of them is there")
  void severalTopicsInOneLongPoll() throws Exception {
    require(Capability.MULTI_TOPIC_FETCH);
    require(Capability.LONG_POLLING);
    String quiet = unique("quiet");
    String busy = unique("busy");
    deploySimple(quiet);
    TestProcess p = deploySimple(busy);
    String w = unique("w");
    List<FetchRequest> both = List.of(
        new FetchRequest(w, quiet, 5, Duration.ofSeconds(30), null, Duration.ofSeconds(20), null, null,
            null, false),
        new FetchRequest(w, busy, 5, Duration.ofSeconds(30), null, Duration.ofSeconds(20), null, null,
            null, false));
    long sent = System.nanoTime();
    java.util.concurrent.CompletableFuture<List<LockedJob>> poll = client().fetchAndLock(both);
    String instance = start(p, Map.of(), null);
    List<LockedJob> got = poll.get(60, java.util.concurrent.TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - sent);
    assertThat(got).as("the long poll's answer").hasSize(1);
    assertThat(got.get(0).topic()).isEqualTo(busy);
    assertThat(got.get(0).processInstanceId()).isEqualTo(instance);
    assertThat(took).as("time until a 20 s long poll answered").isLessThan(Duration.ofSeconds(10));
  }
}
