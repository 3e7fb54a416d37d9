package io.polyworker.testkit.camunda.server;

import io.polyworker.testkit.server.ChildProtocol;
import java.nio.file.Path;
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
 * <p>Nothing here names Camunda: the engine is whichever Spring Boot REST starter is on the class
 * path. So the Operaton test server runs this same class with the Operaton starter and its own
 * {@code application.properties}, which also sets {@code polyworker.server-name} for the log.
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
    ChildProtocol.exitWithParent(args);
    SpringApplication.run(CamundaTestServer.class, args);
  }

  /** Writes the port file once the web server listens and the process engine is up. */
  @EventListener(ApplicationReadyEvent.class)
  void announcePort(ApplicationReadyEvent event) {
    int port = ((WebServerApplicationContext) event.getApplicationContext()).getWebServer().getPort();
    Environment environment = event.getApplicationContext().getEnvironment();
    Optional.ofNullable(environment.getProperty("polyworker.port-file"))
        .filter(file -> !file.isBlank())
        .ifPresent(file -> ChildProtocol.announcePort(Path.of(file), port));
    LOG.info("{} test server ready on http://127.0.0.1:{}/engine-rest (data: {})",
        environment.getProperty("polyworker.server-name", "Camunda 7"), port,
        environment.getProperty("polyworker.data-dir"));
  }
}
