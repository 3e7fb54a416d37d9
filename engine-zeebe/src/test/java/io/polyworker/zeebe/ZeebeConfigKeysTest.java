package io.polyworker.zeebe;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyworker.engine.EngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keeps the README's table of configuration keys true to {@link ZeebeEngine#CONFIG_KEYS}. */
class ZeebeConfigKeysTest {
  @Test
  void theReadmeNamesEveryConfigurationKeyAndItsEnvironmentVariable() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    assertThat(ZeebeEngine.CONFIG_KEYS).isNotEmpty().doesNotHaveDuplicates()
        .allSatisfy(key -> assertThat(key).startsWith("polyworker."));
    for (String key : ZeebeEngine.CONFIG_KEYS) {
      assertThat(readme).as(key).contains("`" + key + "`")
          .contains("`" + EngineConfig.envName(key) + "`");
    }
  }

  @Test
  void noKeyIsSpeltLikeAPerEngineCommonKey() {
    // polyworker.engines reads polyworker.<id>.url and the other common keys per engine: an
    // engine-specific key of that spelling would be taken for a common one.
    Set<String> perEngine = new HashSet<>();
    for (String id : List.of("camunda", "flowable", "zeebe")) {
      for (String common : EngineConfig.COMMON_KEYS) {
        perEngine.addAll(EngineConfig.fromMap(Map.of(EngineConfig.perEngineKey(id, common), "x"))
            .asMap().keySet());
      }
    }
    for (String key : ZeebeEngine.CONFIG_KEYS) {
      assertThat(EngineConfig.fromMap(Map.of(key, "x")).asMap().keySet()).as(key)
          .doesNotContainAnyElementsOf(perEngine);
    }
  }
}
