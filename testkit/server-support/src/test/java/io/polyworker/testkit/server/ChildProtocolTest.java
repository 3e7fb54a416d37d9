package io.polyworker.testkit.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProtocolTest {
  @TempDir Path dir;

  @Test
  void thePortFileHoldsThePortAndNoTemporaryFileIsLeft() throws IOException {
    Path portFile = dir.resolve("run/engine.port");
    ChildProtocol.announcePort(portFile, 8080);
    ChildProtocol.announcePort(portFile, 8081);
    assertThat(Files.readString(portFile)).isEqualTo("8081");
    try (Stream<Path> files = Files.list(portFile.getParent())) {
      assertThat(files).containsExactly(portFile);
    }
  }

  @Test
  void argumentsAreReadAsTheLauncherWritesThem() {
    String[] args = {"--polyworker.port=0", "--polyworker.parent-pid= 42 ", "--polyworker.port-file="};
    assertThat(ChildProtocol.argument(args, ChildProtocol.PARENT_PID)).hasValue("42");
    assertThat(ChildProtocol.argument(args, ChildProtocol.PORT)).hasValue("0");
    assertThat(ChildProtocol.argument(args, ChildProtocol.PORT_FILE)).isEmpty();
    assertThat(ChildProtocol.argument(args, ChildProtocol.DATA_DIR)).isEmpty();
  }

  @Test
  void withoutAParentPidNothingIsWatched() {
    ChildProtocol.exitWithParent(new String[] {"--polyworker.port=0"}); // returns; the JVM keeps running
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("polyworker-"));
  }
}
