package io.polyworker.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.DeploymentResource;
import io.polyworker.Job;
import io.polyworker.JobResult;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.LocalZeebe;
import io.polyworker.worker.JobWorker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Closing the context while handlers run, on Zeebe with job streaming: the running jobs finish and
 * are completed, the jobs the starter's worker did not start go to a second worker at once (long
 * before their 30 s lock would expire), and the engine's own records show every job completed
 * exactly once.
 */
class StarterShutdownTest {

  static final int SLOTS = 2;
  static final int JOBS = 6;

  /** Handlers that hold their job until the test lets them go. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class SlowApp {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    final Set<String> completed = ConcurrentHashMap.newKeySet();

    @JobSubscription(topic = "slow-${test.run}")
    void slow(Job job) throws InterruptedException {
      started.incrementAndGet();
      if (!release.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the handler");
      }
      finished.incrementAndGet();
    }

    @Bean
    JobWorkerCustomizer countCompletions() {
      return builder -> builder.listener(e -> {
        if (e.type() == WorkerEvent.Type.COMPLETED) {
          completed.add(e.jobId());
        }
      });
    }
  }

  @Test
  void closingTheContextDrainsRunningJobsAndHandsTheRestOverAtOnce() throws Exception {
    LocalZeebe zeebe = LocalZeebe.shared();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String topic = "slow-" + run;
    TestProcess process = TestProcess.named("drain_" + run.replace('-', '_')).task("slow", topic);
    Map<String, Object> properties = Map.of("polyworker.engine", "zeebe", "polyworker.url", zeebe.grpcUri().toString(),
        "test.run", run, "polyworker.subscriptions." + topic + ".max-concurrent-jobs", SLOTS);
    ConfigurableApplicationContext ctx = StarterContract.start(SlowApp.class, properties);
    SlowApp app = ctx.getBean(SlowApp.class);
    Engine engine = ctx.getBean(Engine.class);
    engine.processClient().deploy(DeploymentResource.of(process.resourceName(), process.toXml(Dialect.ZEEBE)));
    for (int i = 0; i < JOBS; i++) {
      engine.processClient().startProcess(process.id(), Map.of("n", i));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> app.started.get() == SLOTS);

    Thread closing = new Thread(ctx::close, "context-close");
    Instant closeStarted = Instant.now();
    closing.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> !ctx.getBean(JobWorker.class).isRunning());

    Set<String> completedByB = ConcurrentHashMap.newKeySet();
    try (Engine other = Engines.fromConfig(EngineConfig.fromMap(Map.of("polyworker.engine", "zeebe",
            "polyworker.url", zeebe.grpcUri().toString())));
         JobWorker b = JobWorker.builder(other).workerId("second-" + run)
             .subscribe(topic, job -> {
               completedByB.add(job.id());
               return JobResult.complete();
             }, SubscriptionOptions.builder().maxConcurrentJobs(JOBS).build())
             .build().start()) {
      // The jobs the closing worker did not start reach the second worker while the first two still run.
      await().atMost(Duration.ofSeconds(15)).until(() -> completedByB.size() == JOBS - SLOTS);
      assertThat(Duration.between(closeStarted, Instant.now())).isLessThan(Duration.ofSeconds(15));
      assertThat(app.finished.get()).isZero();
      app.release.countDown();
      closing.join(Duration.ofSeconds(30).toMillis());
      assertThat(closing.isAlive()).isFalse();
    }

    assertThat(app.started.get()).isEqualTo(SLOTS);
    assertThat(app.finished.get()).isEqualTo(SLOTS);
    assertThat(app.completed).hasSize(SLOTS).doesNotContainAnyElementsOf(completedByB);
    List<JsonNode> completions = zeebe.recordLog().readSince(0, line -> line.contains("\"valueType\":\"JOB\"")
        && line.contains("\"intent\":\"COMPLETED\"") && line.contains(topic)).kept();
    assertThat(completions).hasSize(JOBS);
    assertThat(completions.stream().map(r -> r.path("key").asText()).distinct()).hasSize(JOBS);
  }
}
