package io.polyworker.benchmarks;

import io.polyworker.Job;
import io.polyworker.spring.JobSubscription;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The small Spring Boot application of the annotated client and of {@link StarterStartup}: no web
 * server, no banner, auto-configuration on, and one bean with one {@code @JobSubscription} method.
 * The handler bean is registered by the caller (it carries the probe and the handler variant).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
class StarterApp {

  /** The application's one handler: the same work as the plain client's {@code JobHandler}, as a bean method. */
  static final class Handler {
    private final Probe probe;
    private final Variant variant;

    Handler(Probe probe, Variant variant) {
      this.probe = probe;
      this.variant = variant;
    }

    @JobSubscription(topic = "${bench.topic}")
    void work(Job job) throws InterruptedException {
      probe.started(job.processInstanceId());
      variant.work();
    }
  }

  private StarterApp() {}

  /**
   * The application, not yet run, with {@code properties} on top of its own (banner off, no shutdown
   * hook: whoever runs it closes it).
   */
  static SpringApplicationBuilder builder(Map<String, Object> properties) {
    return new SpringApplicationBuilder(StarterApp.class)
        .web(WebApplicationType.NONE)
        .registerShutdownHook(false)
        .properties(Map.of("spring.main.banner-mode", "off"))
        .properties(properties);
  }
}
