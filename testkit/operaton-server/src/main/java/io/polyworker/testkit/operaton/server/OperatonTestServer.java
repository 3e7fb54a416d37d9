package io.polyworker.testkit.operaton.server;

import io.polyworker.testkit.camunda.server.CamundaTestServer;
import io.polyworker.testkit.server.ChildProtocol;
import org.springframework.boot.SpringApplication;

/**
 * The Operaton test server: the Camunda 7 test server's application on Operaton's engine, plus
 * {@link JsonTextVariables}. Named here as a source rather than through an auto-configuration file,
 * because the server jar lies on its users' test class path, where such a file would be found by
 * their own Spring Boot applications.
 */
public final class OperatonTestServer {

  private OperatonTestServer() {}

  public static void main(String[] args) {
    ChildProtocol.exitWithParent(args);
    SpringApplication.run(new Class<?>[] {CamundaTestServer.class, JsonTextVariables.class}, args);
  }
}
