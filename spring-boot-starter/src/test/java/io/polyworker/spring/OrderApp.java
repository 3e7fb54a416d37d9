package io.polyworker.spring;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.polyworker.BpmnError;
import io.polyworker.Job;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * A small Spring Boot application as a user writes it: annotated handlers on a bean, a meter
 * registry and an OpenTelemetry SDK of its own. The engine comes from properties only.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(OrderApp.Handlers.class)
public class OrderApp {

  /** The order as the process holds it. */
  public record Order(String id, int amount) {}

  /** What charging returns: its properties become variables. */
  public record Charged(String receipt, String currency) {}

  /** The handlers, topics made unique per run through a placeholder. */
  public static class Handlers {
    /** Retries each attempt of the notify task saw, by process instance. */
    final Map<String, List<Integer>> notifyRetries = new ConcurrentHashMap<>();
    /** Instances that took the error path. */
    final Set<String> declined = ConcurrentHashMap.newKeySet();

    @JobSubscription(topic = "charge-${test.run}")
    Charged charge(@AllVariables Order order, @Header("currency") String currency) {
      if (order.amount() > 100) {
        throw new BpmnError("DECLINED", "amount over 100");
      }
      return new Charged(order.id() + "-paid", currency);
    }

    @JobSubscription(topic = "notify-${test.run}", retryBackoff = "0s")
    Map<String, Object> notify(@Variable String receipt, Job job) {
      List<Integer> seen = notifyRetries.computeIfAbsent(job.processInstanceId(), k -> new CopyOnWriteArrayList<>());
      seen.add(job.retries() == null ? -1 : job.retries());
      if (seen.size() == 1) {
        throw new IllegalStateException("the first attempt fails by design");
      }
      return Map.of("notified", receipt);
    }

    @JobSubscription(topic = "declined-${test.run}")
    void declined(Job job) {
      declined.add(job.processInstanceId());
    }
  }

  @Bean
  SimpleMeterRegistry meterRegistry() {
    return new SimpleMeterRegistry();
  }

  @Bean
  InMemorySpanExporter spanExporter() {
    return InMemorySpanExporter.create();
  }

  @Bean
  OpenTelemetry openTelemetry(InMemorySpanExporter exporter) {
    // W3C trace context, as Spring Boot's own OpenTelemetry configuration sets it.
    return OpenTelemetrySdk.builder()
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .build();
  }
}
