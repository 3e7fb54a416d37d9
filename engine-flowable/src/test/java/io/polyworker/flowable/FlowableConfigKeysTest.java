package io.polyworker.flowable;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyworker.engine.EngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps the README's table of configuration keys true to {@link FlowableEngine#CONFIG_KEYS}. */
class FlowableConfigKeysTest {
  @Test
  void theReadmeNamesEveryConfigurationKeyAndItsEnvironmentVariable() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    assertThat(FlowableEngine.CONFIG_KEYS).isNotEmpty().doesNotHaveDuplicates()
        .allSatisfy(key -> assertThat(key).startsWith("polyworker."));
    for (String key : FlowableEngine.CONFIG_KEYS) {
      assertThat(readme).as(key).contains("`" + key + "`")
          .contains("`" + EngineConfig.envName(key) + "`");
    }
  }
}
