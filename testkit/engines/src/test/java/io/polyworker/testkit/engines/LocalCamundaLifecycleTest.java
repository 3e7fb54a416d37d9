package io.polyworker.testkit.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Kill, restart and stop of a private Camunda (not the shared one, which other tests use). */
class LocalCamundaLifecycleTest {

  @Test
  void killKeepsDataAndRestartServesTheSameUrl() throws Exception {
    Path dataDirectory;
    try (LocalCamunda camunda = LocalCamunda.create()) {
      dataDirectory = camunda.dataDirectory();
      camunda.start();
      camunda.start(); // idempotent
      String url = camunda.restUrl();
      HttpResponse<String> deployed = Http.deploy(url, "survivor", "survivor.bpmn",
          Http.externalTaskProcess("survivor", "survive"));
      assertEquals(200, deployed.statusCode(), deployed.body());
      ProcessHandle first = camunda.processHandle();

      camunda.kill();

      assertFalse(camunda.isRunning());
      assertFalse(first.isAlive(), "child still alive after kill()");
      assertThrows(ConnectException.class, () -> Http.get(url + "/engine"));

      camunda.restart();

      assertEquals(url, camunda.restUrl());
      HttpResponse<String> definition = Http.get(url + "/process-definition/key/survivor");
      assertEquals(200, definition.statusCode(), definition.body());
      assertTrue(Files.readString(camunda.logFile()).contains("Started CamundaTestServer"));

      ProcessHandle second = camunda.processHandle();
      camunda.stop();

      assertFalse(camunda.isRunning());
      assertFalse(second.isAlive(), "child still alive after stop()");
      assertThrows(IOException.class, () -> Http.get(url + "/engine"));
      assertTrue(Files.isDirectory(dataDirectory), "stop() must keep the data");
    }
    assertFalse(Files.exists(dataDirectory), "close() must delete the temporary data directory");
  }

  @Test
  void aChildThatExitsFailsStartWithItsOutput() {
    try (LocalEngine broken = new TestEngine(
        java.util.List.of(JavaRuntimes.current().toString(), "-cp", ".", "NoSuchMainClassForPolyworker"),
        Duration.ofSeconds(60))) {
      IllegalStateException failure = assertThrows(IllegalStateException.class, broken::start);

      assertTrue(failure.getMessage().contains("exited with code"), failure.getMessage());
      assertTrue(failure.getMessage().contains("NoSuchMainClassForPolyworker"), failure.getMessage());
      assertFalse(broken.isRunning());
    }
  }

  @Test
  void aChildThatNeverGetsReadyIsKilledAfterTheTimeout() {
    try (TestEngine silent = new TestEngine(java.util.List.of("sleep", "60"), Duration.ofMillis(500))) {
      IllegalStateException failure = assertThrows(IllegalStateException.class, silent::start);

      assertTrue(failure.getMessage().contains("not ready within"), failure.getMessage());
      assertTrue(failure.getMessage().contains("never wrote its port file"), failure.getMessage());
      assertFalse(silent.isRunning());
      assertNotNull(silent.dataDirectory());
    }
  }

  /** An engine with a fixed command that is never ready. */
  private static final class TestEngine extends LocalEngine {
    private final java.util.List<String> command;
    private final Duration timeout;

    TestEngine(java.util.List<String> command, Duration timeout) {
      super("test", newTemporaryDirectory("polyworker-test-"), true);
      this.command = command;
      this.timeout = timeout;
    }

    @Override
    protected java.util.List<String> command(int port, Path portFile) {
      return command;
    }

    @Override
    protected boolean isReady(int port) {
      return false;
    }

    @Override
    protected Duration startTimeout() {
      return timeout;
    }
  }
}
