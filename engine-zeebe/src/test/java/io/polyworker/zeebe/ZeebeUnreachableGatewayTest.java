package io.polyworker.zeebe;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.polyworker.EngineUnavailableException;
import io.polyworker.engine.Engine;
import io.polyworker.testkit.engines.LocalZeebe;
import io.polyworker.testkit.engines.TlsTerminator;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A gateway that cannot be reached names the address, the transport and the likely cause instead of
 * only "gRPC UNAVAILABLE: io exception": nothing listening, TLS against the real plaintext gateway,
 * and an HTTP/1.1 server where the gRPC port was meant.
 */
class ZeebeUnreachableGatewayTest {
  private static Engine engine(URI address, boolean plaintext) {
    ZeebeEngine.Builder b = ZeebeEngine.builder().grpcAddress(address).requestTimeout(Duration.ofSeconds(5));
    return (plaintext ? b.plaintext() : b).build();
  }

  @Test
  void nothingListeningNamesTheAddressAndSaysSo() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    URI address = URI.create("http://127.0.0.1:" + port);
    try (Engine engine = engine(address, true)) {
      assertThatThrownBy(() -> engine.processClient().startProcess("order", Map.of()))
          .isInstanceOf(EngineUnavailableException.class)
          .hasMessageContaining("[zeebe] startProcess failed (status 14): gRPC UNAVAILABLE")
          .hasMessageContaining("no Zeebe gateway answered at " + address + " (gRPC over plaintext)")
          .hasMessageContaining("nothing is listening there");
    }
  }

  @Test
  void tlsAgainstThePlaintextGatewaySaysTheHandshakeFailed() {
    URI plaintextGateway = LocalZeebe.shared().grpcUri();
    URI address = URI.create(plaintextGateway.toString().replace("http://", "https://"));
    try (Engine engine = engine(address, false)) {
      assertThatThrownBy(() -> engine.processClient().startProcess("order", Map.of()))
          .isInstanceOf(EngineUnavailableException.class)
          .hasMessageContaining("[zeebe] startProcess failed (status 14)")
          .hasMessageContaining("no Zeebe gateway answered at " + address + " (gRPC over TLS)")
          .hasMessageContaining("the TLS handshake failed")
          .hasMessageContaining("use an http:// address");
    }
  }

  @Test
  void plaintextAgainstATlsGatewayNamesTheTransport() {
    try (TlsTerminator tls = TlsTerminator.to(LocalZeebe.shared().grpcUri().getPort(), "h2")) {
      URI address = URI.create(tls.httpsUrl().replace("https://", "http://"));
      try (Engine engine = engine(address, true)) {
        assertThatThrownBy(() -> engine.processClient().startProcess("order", Map.of()))
            .isInstanceOf(EngineUnavailableException.class)
            .hasMessageContaining("[zeebe] startProcess failed (status 13): gRPC INTERNAL")
            .hasMessageContaining("no Zeebe gateway answered at " + address + " (gRPC over plaintext)")
            .hasMessageContaining("a TLS server answered: the gateway expects TLS, use an https:// address");
      }
    }
  }

  @Test
  void anHttp1ServerWhereTheGrpcPortWasMeantIsNamed() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = "{\"status\":404}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(404, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    URI address = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    try (Engine engine = engine(address, true)) {
      assertThatThrownBy(() -> engine.processClient().startProcess("order", Map.of()))
          .isInstanceOf(EngineUnavailableException.class)
          .hasMessageContaining("[zeebe] startProcess failed (status 13): gRPC INTERNAL")
          .hasMessageContaining("no Zeebe gateway answered at " + address + " (gRPC over plaintext)")
          .hasMessageContaining("an HTTP/1.1 server answered: this is probably the REST port");
    } finally {
      server.stop(0);
    }
  }
}
