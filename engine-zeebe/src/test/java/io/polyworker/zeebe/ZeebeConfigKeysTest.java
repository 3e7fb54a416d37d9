package io.polyworker.zeebe;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyworker.engine.EngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
