package io.polyworker.testkit.camunda.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;

/**
 * A Camunda 7 engine with its REST API at {@code /engine-rest}, on H2, for tests. Launched as a
 * child JVM by {@code io.polyworker.testkit.engines.LocalCamunda}; not a library.
 *
 * <p>Arguments (the launcher protocol of {@code LocalEngine}):
 * {@code --polyworker.port=<port, 0 = any>} {@code --polyworker.data-dir=<dir for the H2 file database>}
 * {@code --polyworker.port-file=<file>} (receives the actual port, atomically, once the web server
 * listens and the engine is built) and {@code --polyworker.parent-pid=<pid>} (the server exits when
 * that process is gone). Settings are in {@code application.properties}.
 */
@SpringBootApplication
public class CamundaTestServer {

  private static final Logger LOG = LoggerFactory.getLogger(CamundaTestServer.class);

  public static void main(String[] args) {
    ParentWatch.exitWhenParentIsGone(args);
    SpringApplication.run(CamundaTestServer.class, args);
  }

  /** Writes the port file once the web server listens and the process engine is up. */
  @EventListener(ApplicationReadyEvent.class)
  void announcePort(ApplicationReadyEvent event) {
    int port = ((WebServerApplicationContext) event.getApplicationContext()).getWebServer().getPort();
    Environment environment = event.getApplicationContext().getEnvironment();
    Optional.ofNullable(environment.getProperty("polyworker.port-file"))
        .filter(file -> !file.isBlank())
        .ifPresent(file -> writeAtomically(Path.of(file), Integer.toString(port)));
    LOG.info("Camunda test server ready on http://127.0.0.1:{}/engine-rest (data: {})", port,
        environment.getProperty("polyworker.data-dir"));
  }

  static void writeAtomically(Path target, String content) {
    try {
      Path dir = target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
      Files.writeString(temp, content, StandardCharsets.UTF_8);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write port file " + target, e);
    }
  }
}
