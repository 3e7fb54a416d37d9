package io.polyworker.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.Measured;
import io.polyworker.worker.JobWorker;
import io.polyworker.worker.SubscriptionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Camunda only (it fetches several topics in one request): an idle worker over many topics holds
 * one long poll, counted at the wire by the fault proxy, and a job on any of its topics still
 * starts at once.
 */
class CamundaSharedLongPollTest {
  private static final int TOPICS = 20;
  private static final Duration LONG_POLL = Duration.ofSeconds(2);
  private static final Duration WINDOW = Duration.ofSeconds(6);
  private final CamundaUnderTest camunda = new CamundaUnderTest();

  @Test
  @DisplayName("an idle worker over 20 topics sends one long poll at a time, and a job on the last topic starts within a second")
  void oneLongPollForTwentyIdleTopics() {
    try (Scenario s = new Scenario(camunda, "shared")) {
      List<String> topics = new ArrayList<>(List.of(s.topic));
      List<String> keys = new ArrayList<>(List.of(s.key));
      for (int i = 1; i < TOPICS; i++) {
        String key = s.key + "_" + i;
        String topic = s.topic + "_" + i;
        camunda.deploySingleTask(s.admin, key, topic);
        keys.add(key);
        topics.add(topic);
      }
      Map<String, Long> started = new ConcurrentHashMap<>();
      JobHandler handler = job -> {
        started.put(job.processInstanceId(), System.nanoTime());
        return JobResult.complete();
      };
      SubscriptionOptions options = SubscriptionOptions.builder().longPollTimeout(LONG_POLL).build();
      JobWorker.Builder b = JobWorker.builder(s.engine).workerId("w-shared").listener(s.events);
      topics.forEach(t -> b.subscribe(t, handler, options));
      JobWorker worker = b.build().start();
      try {
        // At start every topic fetches once (at once, empty), then all wait in one long poll.
        await().atMost(Duration.ofSeconds(20)).until(() ->
            worker.subscriptions().stream().allMatch(st -> st.fetchesOpen() == 1));
        s.proxy.count("/fetchAndLock ");
        long before = s.proxy.counted("/fetchAndLock ");
        long windowStart = System.nanoTime();
        long bound = WINDOW.toSeconds() / LONG_POLL.toSeconds() + 2;
        await().during(WINDOW).atMost(WINDOW.plusSeconds(2))
            .until(() -> s.proxy.counted("/fetchAndLock ") - before <= bound);
        double seconds = (System.nanoTime() - windowStart) / 1e9;
        long idleFetches = s.proxy.counted("/fetchAndLock ") - before;
        int connections = s.proxy.openConnections();

        String last = keys.get(TOPICS - 1);
        List<Long> pickups = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          long t0 = System.nanoTime();
          String instance = camunda.startInstances(s.admin, last, 1, n -> Map.of(), 1).get(0);
          await().atMost(Duration.ofSeconds(10)).until(() -> started.containsKey(instance));
          pickups.add((started.get(instance) - t0) / 1_000_000);
          // back to one long poll before the next sample
          await().atMost(Duration.ofSeconds(10)).until(() ->
              worker.subscriptions().stream().allMatch(st -> st.fetchesOpen() == 1));
        }
        pickups.sort(Long::compare);
        Measured.report("shared-long-poll/camunda",
            "%d idle topics, long poll %d s: %d fetchAndLock requests in %.1f s (%.2f/s; one long poll"
                + " per topic would be %.1f/s), %d open connection(s); start → handler on the last topic"
                + " p50 %d ms, max %d ms (5 samples)",
            TOPICS, LONG_POLL.toSeconds(), idleFetches, seconds, idleFetches / seconds,
            TOPICS / (double) LONG_POLL.toSeconds(), connections, pickups.get(2), pickups.get(4));
        assertThat(idleFetches).as("fetchAndLock requests of an idle worker over %d topics in %.1f s"
            + " with %d s long polls", TOPICS, seconds, LONG_POLL.toSeconds())
            .isLessThanOrEqualTo(bound);
        // One in use, and at most OkHttp's five idle ones kept from the first fetches at start.
        assertThat(connections).as("open connections while idle").isLessThanOrEqualTo(6);
        assertThat(pickups.get(2)).as("median ms from start to handler on the last topic").isLessThan(1_000);
        assertThat(worker.subscriptions()).extracting(SubscriptionState::topic).containsAll(topics);
      } finally {
        worker.close();
      }
    }
  }
}
