package io.polyworker.camunda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.polyworker.DeploymentResource;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.PolyworkerException;
import io.polyworker.engine.Engine;
import io.polyworker.spi.FetchRequest;
import io.polyworker.testkit.engines.LocalCamunda;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a user sees after the usual first mistakes, against the real Camunda server (and, for a
 * servlet container's HTML error page, a local HTTP server that serves one): every message names the
 * engine, the operation, the address or setting, and the cause.
 */
class CamundaMisconfigurationTest {
  private static final LocalCamunda CAMUNDA = LocalCamunda.shared();

  @Test
  void aBaseUrlWithoutEngineRestOnTheRealServerSaysThereIsNoRestApiThere() {
    String wrong = CAMUNDA.restUrl().replace("/engine-rest", "/rest");
    try (Engine engine = CamundaEngine.builder().baseUrl(wrong).build()) {
      assertThatThrownBy(() -> engine.processClient().startProcess("order", Map.of()))
          .isExactlyInstanceOf(PolyworkerException.class)
          .satisfies(e -> assertThat(((PolyworkerException) e).isRetryable()).isFalse())
          .hasMessageContaining("[camunda] startProcess failed (status 404)")
          .hasMessageContaining("no Camunda REST API at " + wrong)
          .hasMessageContaining("got HTTP 404")
          .hasMessageContaining("usually ends in /engine-rest")
          .hasMessageContaining("POLYWORKER_URL");
    }
  }

  @Test
  void theServerRootOnTheRealServerIsRecognisedByItsHtmlPage() {
    String root = CAMUNDA.restUrl().replace("/engine-rest", "");
    try (Engine engine = CamundaEngine.builder().baseUrl(root).build()) {
      assertThatThrownBy(() -> engine.jobClient().fetchAndLock(FetchRequest.of("w", "t", 1,
          Duration.ofSeconds(10)).withLongPollTimeout(Duration.ZERO)).join())
          .rootCause()
          .isExactlyInstanceOf(PolyworkerException.class)
          .hasMessageContaining("[camunda] fetchAndLock failed (status 404): no Camunda REST API at " + root)
          .hasMessageContaining("(got HTTP 404 text/html for /external-task/fetchAndLock)")
          .hasMessageContaining("usually ends in /engine-rest")
          .hasMessageNotContaining("<html");
    }
  }

  @Test
  void aBaseUrlBelowEngineRestOrANamedEngineThatDoesNotExistNamesTheUrl() {
    String tooDeep = CAMUNDA.restUrl() + "/api";
    try (Engine engine = CamundaEngine.builder().baseUrl(tooDeep).build()) {
      assertThatThrownBy(() -> engine.processClient().startProcess("order", Map.of()))
          .isExactlyInstanceOf(PolyworkerException.class)
          .hasMessageContaining("[camunda] startProcess failed (status 404): no Camunda REST API at " + tooDeep)
          .hasMessageContaining("no resource /engine-rest/api/process-definition/key/order/start")
          .hasMessageContaining("POLYWORKER_URL");
    }
    String unknownEngine = CAMUNDA.restUrl() + "/engine/nope";
    try (Engine engine = CamundaEngine.builder().baseUrl(unknownEngine).build()) {
      assertThatThrownBy(() -> engine.processClient().startProcess("order", Map.of()))
          .isExactlyInstanceOf(PolyworkerException.class)
          .hasMessageContaining("[camunda] startProcess failed (status 400): no process engine at " + unknownEngine)
          .hasMessageContaining("/engine-rest/engine/<name>");
    }
  }

  @Test
  void anHtmlErrorPageIsRecognisedAndNotQuotedAsTheMessage() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] page = "<!doctype html><html><head><title>HTTP Status 404 – Not Found</title></head><body>"
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/html;charset=utf-8");
      exchange.sendResponseHeaders(404, page.length);
      exchange.getResponseBody().write(page);
      exchange.close();
    });
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/camunda";
    try (Engine engine = CamundaEngine.builder().baseUrl(url).build()) {
      assertThatThrownBy(() -> engine.jobClient().fetchAndLock(FetchRequest.of("w", "t", 1,
          Duration.ofSeconds(10))).join())
          .rootCause()
          .isExactlyInstanceOf(PolyworkerException.class)
          .hasMessageStartingWith("[camunda] fetchAndLock failed (status 404): no Camunda REST API at "
              + url + " (got HTTP 404 text/html for /camunda/external-task/fetchAndLock); the base URL")
          .hasMessageContaining("usually ends in /engine-rest")
          .hasMessageNotContaining("<html>");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void deployingAResourceThatIsNotXmlIsAnInvalidDefinition() {
    try (Engine engine = CamundaEngine.builder().baseUrl(CAMUNDA.restUrl()).build()) {
      assertThatThrownBy(() -> engine.processClient().deploy(
          DeploymentResource.of("order.bpmn", "this is not a BPMN file")))
          .isInstanceOf(InvalidDefinitionException.class)
          .satisfies(e -> assertThat(((PolyworkerException) e).isRetryable()).isFalse())
          .hasMessageContaining("[camunda] deploy failed (status 500)")
          .hasMessageContaining("order.bpmn");
      assertThatThrownBy(() -> engine.processClient().deploy(
          DeploymentResource.of("rules.dmn", "this is not a DMN file")))
          .isInstanceOf(InvalidDefinitionException.class)
          .hasMessageContaining("[camunda] deploy failed (status 500)")
          .hasMessageContaining("rules.dmn");
      assertThatThrownBy(() -> engine.processClient().deploy(DeploymentResource.of("empty.bpmn", "")))
          .isInstanceOf(InvalidDefinitionException.class)
          .hasMessageContaining("empty.bpmn");
    }
  }
}
