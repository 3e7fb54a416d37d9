package io.polyworker.testkit.flowable.server;

import io.polyworker.testkit.server.ChildProtocol;
import java.nio.file.Path;

import org.flowable.cmmn.engine.CmmnEngine;
import org.flowable.engine.ProcessEngine;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SimpleCommandLinePropertySource;

/**
 * A real Flowable engine (BPMN and CMMN, H2 file database) with its process REST API at {@code /process-api},
 * the external worker job REST API at {@code /external-job-api} and a small CMMN helper API at
 * {@code /polyworker-test/cmmn} (Flowable's CMMN REST module does not resolve from the Maven mirror we use).
 *
 * <p>Meant to run in a child JVM started by {@code io.polyworker.testkit.engines.LocalFlowable}. Arguments:
 * <ul>
 *   <li>{@code --polyworker.port=N} (or {@code --server.port=N}) — HTTP port on 127.0.0.1; 0 (the default) picks a free one;</li>
 *   <li>{@code --polyworker.data-dir=DIR} — required; the H2 database lives in {@code DIR/flowable.mv.db}, so a
 *       restart with the same directory keeps deployments, instances and jobs;</li>
 *   <li>{@code --polyworker.port-file=FILE} — optional; once the web server listens and both engines are built,
 *       the actual port is written there atomically (temp file + rename), so its presence means "ready";</li>
 *   <li>{@code --polyworker.parent-pid=PID} — optional; the server exits when that process is gone, so a
 *       killed test JVM leaves no engine behind.</li>
 * </ul>
 */
@SpringBootApplication
public class FlowableTestServer {

  public static void main(String[] args) {
    SimpleCommandLinePropertySource cli = new SimpleCommandLinePropertySource(args);
    if (!cli.containsProperty("polyworker.data-dir")) {
      System.err.println("usage: FlowableTestServer --polyworker.data-dir=DIR [--polyworker.port=0]"
          + " [--polyworker.port-file=FILE] [--polyworker.parent-pid=PID]");
      System.exit(2);
    }
    ChildProtocol.exitWithParent(args); // System.exit runs Spring's shutdown hook, which closes the engines
    SpringApplication.run(FlowableTestServer.class, args);
  }

  /** Writes the port file once the web server is up and the engines are built. */
  @EventListener
  public void onReady(ApplicationReadyEvent event) {
    ConfigurableApplicationContext context = event.getApplicationContext();
    // Fail here rather than announce readiness if either engine is missing.
    context.getBean(ProcessEngine.class).getName();
    context.getBean(CmmnEngine.class).getName();
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    Environment env = context.getEnvironment();
    String portFile = env.getProperty("polyworker.port-file");
    if (portFile != null && !portFile.isBlank()) {
      ChildProtocol.announcePort(Path.of(portFile), port);
    }
    System.out.println("Flowable test server ready on http://127.0.0.1:" + port);
  }
}
