package io.polyworker.spring.autoconfigure;

import io.polyworker.ProcessClient;
import io.polyworker.spring.PolyworkerUnitsProperties;
import io.polyworker.spring.TopicHandler;
import io.polyworker.spring.internal.TopicHandlers;
import io.polyworker.spring.internal.UnitRegistrations;
import io.polyworker.units.HttpCallUnit;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The work units of {@code polyworker.units.*}, one {@link TopicHandler} bean each, when
 * polyworker-work-units is on the class path. A unit whose settings its builder refuses (an HTTP
 * unit without {@code allow}, a mail unit without host) fails the start naming the property.
 */
@AutoConfiguration(after = PolyworkerAutoConfiguration.class)
@ConditionalOnClass(HttpCallUnit.class)
@EnableConfigurationProperties(PolyworkerUnitsProperties.class)
public class PolyworkerUnitsAutoConfiguration {

  /** Every configured unit as a handler for its topic. */
  @Bean
  public TopicHandlers polyworkerUnits(PolyworkerUnitsProperties properties,
      org.springframework.beans.factory.ObjectProvider<ProcessClient> processClient) {
    return UnitRegistrations.of(properties, processClient::getObject);
  }
}
