package io.polyworker.flowable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.polyworker.EngineUnavailableException;
import io.polyworker.PolyworkerException;
import io.polyworker.engine.Engine;
import io.polyworker.spi.FetchRequest;
import io.polyworker.testkit.engines.LocalFlowable;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a user sees after the usual first mistakes, against the real Flowable server (and, for a
 * servlet container's HTML error page, a local HTTP server that serves one): every message names the
 * engine, the operation, the address and the settings, and the cause; none is retryable.
 */
class FlowableMisconfigurationTest {
  private static final LocalFlowable FLOWABLE = LocalFlowable.shared();

  private static FetchRequest fetch() {
    return FetchRequest.of("w", "t", 1, Duration.ofSeconds(10));
  }

  @Test
  void aWrongJobApiPathOnTheRealServerIsAConfigurationErrorNotAnOutage() {
    try (Engine engine = FlowableEngine.builder().baseUrl(FLOWABLE.baseUrl())
        .externalJobApiPath("/process-api/external-job-api").build()) {
      assertThatThrownBy(() -> engine.jobClient().fetchAndLock(fetch()).join())
          .rootCause()
          .isExactlyInstanceOf(PolyworkerException.class)
          .satisfies(e -> assertThat(((PolyworkerException) e).isRetryable()).isFalse())
          .hasMessageContaining("[flowable] acquire failed (status ")
          .hasMessageContaining("no Flowable external worker job REST API at " + FLOWABLE.baseUrl()
              + "/process-api/external-job-api")
          .hasMessageContaining("polyworker.flowable.external-job-api-path")
          .hasMessageContaining("POLYWORKER_FLOWABLE_EXTERNAL_JOB_API_PATH")
          .hasMessageContaining("No endpoint POST /process-api/external-job-api/acquire/jobs")
          .hasMessageContaining("POLYWORKER_URL");
    }
  }

  @Test
  void aWrongProcessApiPathOnTheRealServerNamesItsSetting() {
    try (Engine engine = FlowableEngine.builder().baseUrl(FLOWABLE.baseUrl())
        .processApiPath("/flowable-rest/service").build()) {
      assertThatThrownBy(() -> engine.processClient().startProcess("order", Map.of()))
          .isExactlyInstanceOf(PolyworkerException.class)
          .isNotInstanceOf(EngineUnavailableException.class)
          .hasMessageContaining("[flowable] startProcess failed (status ")
          .hasMessageContaining("no Flowable process REST API at " + FLOWABLE.baseUrl()
              + "/flowable-rest/service")
          .hasMessageContaining("polyworker.flowable.process-api-path");
    }
  }

  @Test
  void aBaseUrlWithAPathTheServerDoesNotHaveNamesTheApiUrl() {
    String wrong = FLOWABLE.baseUrl() + "/flowable-rest";
    try (Engine engine = FlowableEngine.builder().baseUrl(wrong).build()) {
      assertThatThrownBy(() -> engine.jobClient().fetchAndLock(fetch()).join())
          .rootCause()
          .isExactlyInstanceOf(PolyworkerException.class)
          .satisfies(e -> assertThat(((PolyworkerException) e).isRetryable()).isFalse())
          .hasMessageContaining("[flowable] acquire failed (status ")
          .hasMessageContaining("no Flowable external worker job REST API at " + wrong + "/external-job-api")
          .hasMessageContaining("the base URL (builder baseUrl, setting polyworker.url / POLYWORKER_URL)"
              + " is the server root");
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
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/flowable";
    try (Engine engine = FlowableEngine.builder().baseUrl(url).build()) {
      assertThatThrownBy(() -> engine.jobClient().fetchAndLock(fetch()).join())
          .rootCause()
          .isExactlyInstanceOf(PolyworkerException.class)
          .hasMessageStartingWith("[flowable] acquire failed (status 404): no Flowable external worker"
              + " job REST API at " + url + "/external-job-api (got HTTP 404 text/html for"
              + " /flowable/external-job-api/acquire/jobs)")
          .hasMessageContaining("/flowable-rest for the Flowable REST webapp")
          .hasMessageNotContaining("<html>");
    } finally {
      server.stop(0);
    }
  }
}
