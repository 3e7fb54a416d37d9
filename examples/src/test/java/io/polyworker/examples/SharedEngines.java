package io.polyworker.examples;

import io.polyworker.engine.EngineConfig;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.testkit.engines.LocalFlowable;
import io.polyworker.testkit.engines.LocalZeebe;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The examples' tests share one local engine of each kind per JVM. */
final class SharedEngines {
  private SharedEngines() {}

  /** The settings of the shared local engine {@code engineId}, as a user writes them. */
  static EngineConfig config(String engineId) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put(EngineConfig.ENGINE, engineId);
    switch (engineId) {
      case "camunda" -> config.put(EngineConfig.URL, LocalCamunda.shared().restUrl());
      case "flowable" -> config.put(EngineConfig.URL, LocalFlowable.shared().baseUrl());
      default -> {
        config.put(EngineConfig.URL, LocalZeebe.shared().grpcUri().toString());
        config.put("polyworker.zeebe.plaintext", "true");
      }
    }
    return EngineConfig.fromMap(config);
  }

  static Dialect dialect(String engineId) {
    return Dialect.valueOf(engineId.toUpperCase(Locale.ROOT));
  }

  /** Whether the instance has an open incident (Camunda, Zeebe) or a dead-letter job (Flowable), per the engine's records. */
  static boolean hasIncident(String engineId, String processInstanceId) {
    return switch (engineId) {
      case "camunda" -> !LocalCamunda.shared().history().incidents(processInstanceId).isEmpty();
      case "flowable" -> LocalFlowable.shared().history().deadLetterJobCount(processInstanceId) > 0;
      default -> LocalZeebe.shared().recordLog().events(processInstanceId, "INCIDENT").stream()
          .anyMatch(r -> "CREATED".equals(r.path("intent").asText()));
    };
  }
}
