package io.polyworker.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.Job;
import io.polyworker.spring.internal.PolyworkerHealthIndicator;
import io.polyworker.spring.internal.PolyworkerInfoContributor;
import io.polyworker.testkit.engines.LocalCamunda;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/** The health indicator follows the engine: DOWN with the reason while it is stopped, UP again once it is back. */
class StarterHealthTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @JobSubscription(topic = "health-${test.run}")
    void handle(Job job) {}
  }

  @Test
  void healthIsDownWhileTheEngineIsStoppedAndUpWhenItIsBack() {
    LocalCamunda camunda = LocalCamunda.shared();
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> properties = Map.of("polyworker.engine", "camunda", "polyworker.url", camunda.restUrl(),
        "test.run", run, "polyworker.health.down-after", "2s");
    try (ConfigurableApplicationContext ctx = StarterContract.start(App.class, properties)) {
      PolyworkerHealthIndicator health = ctx.getBean(PolyworkerHealthIndicator.class);
      Health up = health.health();
      assertThat(up.getStatus()).isEqualTo(Status.UP);
      assertThat(up.getDetails()).containsEntry("engine", "camunda").containsEntry("running", true)
          .containsKey("subscriptions");
      Info.Builder info = new Info.Builder();
      ctx.getBean(PolyworkerInfoContributor.class).contribute(info);
      assertThat(info.build().getDetails().get("polyworker").toString())
          .contains("health-" + run + "={maxConcurrentJobs=32, handler=method App.handle(Job) of bean");

      camunda.stop();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> health.health().getStatus().equals(Status.DOWN));
        assertThat(health.health().getDetails().get("reason").toString())
            .contains("engine camunda has not answered a fetch").contains("polyworker.health.down-after");
      } finally {
        camunda.start();
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> health.health().getStatus().equals(Status.UP));
    }
  }
}
