package io.polyworker.spring.boot35;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyworker.engine.Engine;
import io.polyworker.spring.JobSubscription;
import io.polyworker.worker.JobWorker;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.core.SpringVersion;
import org.springframework.util.ClassUtils;

/**
 * What differs on Spring Boot 3.5: its health API lives in {@code org.springframework.boot.actuate.health}, so
 * the starter's indicator (written against Boot 4's {@code org.springframework.boot.health.contributor}) is not
 * made, and the context starts without it; the info contributor (same package in both) is made. One context,
 * with a handler but a worker not started, so no engine is contacted.
 */
class Boot35ActuatorTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Handler.class)
  static class App {}

  static class Handler {
    @JobSubscription(topic = "boot35-info")
    void handle() {}
  }

  @Test
  void startsWithoutHealthIndicatorAndWithInfoContributor() throws IOException {
    // The premise: this JVM runs Boot 3.5 on Spring Framework 6.2, without Boot 4's health module.
    assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
    assertThat(SpringVersion.getVersion()).startsWith("6.2.");
    assertThat(AutoConfiguration.class.getPackage().getImplementationVersion()).startsWith("3.5.");
    ClassLoader loader = getClass().getClassLoader();
    // No second Spring Boot or Spring Framework (a Boot 4 / Spring 7 jar left over) on the class path.
    assertThat(Collections.list(loader.getResources("org/springframework/boot/SpringBootVersion.class"))).hasSize(1);
    assertThat(Collections.list(loader.getResources("org/springframework/core/SpringVersion.class"))).hasSize(1);
    assertThat(Collections.list(loader.getResources("org/springframework/boot/autoconfigure/AutoConfiguration.class")))
        .hasSize(1);
    assertThat(ClassUtils.isPresent("org.springframework.boot.health.contributor.HealthIndicator", loader)).isFalse();
    assertThat(ClassUtils.isPresent("org.springframework.boot.actuate.health.HealthIndicator", loader)).isTrue();

    try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties(Map.of("spring.main.banner-mode", "off", "polyworker.engine", "camunda",
            "polyworker.url", "http://127.0.0.1:9/engine-rest", "polyworker.worker.auto-startup", "false"))
        .run()) {
      assertThat(ctx.getBean(Engine.class).id()).isEqualTo("camunda");
      assertThat(ctx.getBean(JobWorker.class).isRunning()).isFalse();

      assertThat(ctx.containsBean("polyworkerHealthIndicator")).isFalse();
      assertThat(ctx.getBeansOfType(HealthContributor.class)).isEmpty();

      InfoContributor info = ctx.getBean("polyworkerInfoContributor", InfoContributor.class);
      Info.Builder builder = new Info.Builder();
      info.contribute(builder);
      assertThat(builder.build().get("polyworker")).asInstanceOf(InstanceOfAssertFactories.map(String.class, Object.class))
          .containsEntry("engine", "camunda")
          .containsEntry("subscriptions", Map.of("boot35-info", Map.of("maxConcurrentJobs",
              ctx.getBean(JobWorker.class).subscriptions().get(0).slotLimit(),
              "handler", ctx.getBean(JobWorker.class).handlers().get("boot35-info"))))
          .containsKey("workerId");
    }
  }
}
