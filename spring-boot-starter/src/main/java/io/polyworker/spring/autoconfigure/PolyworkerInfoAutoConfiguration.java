package io.polyworker.spring.autoconfigure;

import io.polyworker.spring.PolyworkerEngines;
import io.polyworker.spring.internal.PolyworkerInfoContributor;
import io.polyworker.worker.JobWorker;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code polyworker} entry of Actuator's info endpoint (engine, Polyworker version, worker id,
 * subscriptions), with spring-boot-actuator on the class path.
 */
@AutoConfiguration(after = PolyworkerAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.info.InfoContributor")
public class PolyworkerInfoAutoConfiguration {

  /** The info contributor. */
  @Bean
  @ConditionalOnMissingBean(name = "polyworkerInfoContributor")
  public PolyworkerInfoContributor polyworkerInfoContributor(PolyworkerEngines engines,
      ObjectProvider<JobWorker> worker) {
    return new PolyworkerInfoContributor(engines, worker);
  }
}
