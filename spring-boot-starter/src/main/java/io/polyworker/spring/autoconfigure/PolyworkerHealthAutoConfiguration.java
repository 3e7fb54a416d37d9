package io.polyworker.spring.autoconfigure;

import io.polyworker.spring.PolyworkerEngines;
import io.polyworker.spring.PolyworkerProperties;
import io.polyworker.spring.internal.EngineReachability;
import io.polyworker.spring.internal.PolyworkerHealthIndicator;
import io.polyworker.worker.JobWorker;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code polyworker} health indicator, with Spring Boot 4's spring-boot-health on the class path
 * (Spring Boot 3.5 keeps health in another package: there the indicator is not made). UP while the
 * worker runs and its engines answer; DOWN, with the reason, when the worker is not running or the
 * fetches on an engine have failed for {@code polyworker.health.down-after} (default 30 s).
 */
@AutoConfiguration(after = PolyworkerAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
public class PolyworkerHealthAutoConfiguration {

  /** The health indicator, named {@code polyworker}. */
  @Bean
  @ConditionalOnMissingBean(name = "polyworkerHealthIndicator")
  public PolyworkerHealthIndicator polyworkerHealthIndicator(PolyworkerEngines engines,
      ObjectProvider<JobWorker> worker, EngineReachability reachability, PolyworkerProperties properties) {
    return new PolyworkerHealthIndicator(engines, worker, reachability, properties.getHealth().getDownAfter());
  }
}
