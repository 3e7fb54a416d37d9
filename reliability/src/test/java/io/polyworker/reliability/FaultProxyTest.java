package io.polyworker.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.polyworker.reliability.support.EchoServer;
import io.polyworker.testkit.engines.FaultProxy;
import io.polyworker.testkit.engines.TlsTerminator;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The fault proxy and the TLS terminator themselves, against an echo server: each fault does what it says. */
class FaultProxyTest {
  private EchoServer echo;
  private FaultProxy proxy;

  @BeforeEach
  void start() throws Exception {
    echo = new EchoServer();
    proxy = FaultProxy.to(echo.port());
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    echo.close();
  }

  private Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
    s.setSoTimeout(3_000);
    return s;
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
    return read(s.getInputStream(), text.length());
  }

  private static String read(InputStream in, int length) throws IOException {
    byte[] buffer = new byte[length];
    int done = 0;
    while (done < length) {
      int n = in.read(buffer, done, length - done);
      if (n < 0) {
        throw new IOException("end of stream after " + done + " bytes");
      }
      done += n;
    }
    return new String(buffer, StandardCharsets.ISO_8859_1);
  }

  @Test
  @DisplayName("forwards bytes both ways and counts them")
  void forwards() throws Exception {
    try (Socket s = connect(proxy.port())) {
      assertThat(roundTrip(s, "hello")).isEqualTo("hello");
    }
    assertThat(proxy.bytesToEngine()).isEqualTo(5);
    assertThat(proxy.bytesToWorkers()).isEqualTo(5);
    assertThat(proxy.acceptedConnections()).isEqualTo(1);
  }

  @Test
  @DisplayName("cutConnections resets open connections; new ones work")
  void cut() throws Exception {
    try (Socket s = connect(proxy.port())) {
      roundTrip(s, "a");
      await().atMost(Duration.ofSeconds(5)).until(() -> proxy.openConnections() == 1);
      proxy.cutConnections();
      assertThatThrownBy(() -> {
        for (int i = 0; i < 100; i++) { // bounded: the RST arrives within a few writes
          roundTrip(s, "b");
        }
      }).isInstanceOf(IOException.class);
    }
    try (Socket s = connect(proxy.port())) {
      assertThat(roundTrip(s, "c")).isEqualTo("c");
    }
  }

  @Test
  @DisplayName("refusing by closing the port gives 'connection refused'; accepting again reuses the port")
  void refuseClosePort() throws Exception {
    proxy.refuseConnections(FaultProxy.Refusal.CLOSE_PORT);
    assertThatThrownBy(() -> connect(proxy.port())).isInstanceOf(ConnectException.class);
    proxy.acceptConnections();
    try (Socket s = connect(proxy.port())) {
      assertThat(roundTrip(s, "back")).isEqualTo("back");
    }
  }

  @Test
  @DisplayName("refusing by reset accepts and resets at once")
  void refuseReset() throws Exception {
    proxy.refuseConnections(FaultProxy.Refusal.RESET);
    // The reset may even beat the end of connect() on loopback: either way the client sees an IOException.
    assertThatThrownBy(() -> {
      try (Socket s = connect(proxy.port())) {
        roundTrip(s, "x");
      }
    }).isInstanceOf(IOException.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.refusedConnections() == 1);
    assertThat(echo.received()).isEmpty();
    proxy.heal();
    try (Socket s = connect(proxy.port())) {
      assertThat(roundTrip(s, "y")).isEqualTo("y");
    }
  }

  @Test
  @DisplayName("latency delays every chunk in both directions")
  void latency() throws Exception {
    proxy.latency(Duration.ofMillis(150));
    try (Socket s = connect(proxy.port())) {
      long started = System.nanoTime();
      roundTrip(s, "slow");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }
  }

  @Test
  @DisplayName("a stall forwards N answer bytes, then nothing; heal resets the stalled connection")
  void stall() throws Exception {
    try (Socket s = connect(proxy.port())) {
      proxy.stallResponsesAfter(3);
      s.getOutputStream().write("abcdef".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(read(s.getInputStream(), 3)).isEqualTo("abc");
      s.setSoTimeout(500);
      assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      await().atMost(Duration.ofSeconds(5)).until(() -> echo.received().equals("abcdef"));
      proxy.heal();
      s.setSoTimeout(3_000);
      assertThatThrownBy(() -> {
        if (s.getInputStream().read() < 0) {
          throw new IOException("closed");
        }
      }).isInstanceOf(IOException.class);
    }
    try (Socket s = connect(proxy.port())) {
      assertThat(roundTrip(s, "ok")).isEqualTo("ok");
    }
  }

  @Test
  @DisplayName("a request chunk with a marker is not forwarded: the connection is reset; markers are counted")
  void resetRequestContaining() throws Exception {
    proxy.count("/complete ");
    proxy.resetRequestsContaining("/complete ", 1);
    try (Socket s = connect(proxy.port())) {
      assertThat(roundTrip(s, "POST /fetch HTTP/1.1\r\n")).startsWith("POST /fetch");
      assertThatThrownBy(() -> roundTrip(s, "POST /x/complete HTTP/1.1\r\n")).isInstanceOf(IOException.class);
    }
    assertThat(echo.received()).doesNotContain("complete");
    try (Socket s = connect(proxy.port())) { // only once
      assertThat(roundTrip(s, "POST /y/complete HTTP/1.1\r\n")).contains("complete");
    }
    assertThat(proxy.counted("/complete ")).isEqualTo(2);
  }

  @Test
  @DisplayName("a marker split across two chunks is still found")
  void markerAcrossChunks() throws Exception {
    proxy.count("/complete ");
    try (Socket s = connect(proxy.port())) {
      roundTrip(s, "POST /x/comp");
      roundTrip(s, "lete HTTP/1.1");
    }
    assertThat(proxy.counted("/complete ")).isEqualTo(1);
  }

  @Test
  @DisplayName("a marked request is forwarded but its answer is replaced by a reset")
  void resetResponse() throws Exception {
    proxy.resetResponsesTo("/complete ", 1);
    try (Socket s = connect(proxy.port())) {
      assertThatThrownBy(() -> roundTrip(s, "POST /x/complete HTTP/1.1\r\n")).isInstanceOf(IOException.class);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> echo.received().contains("/x/complete "));
  }

  @Test
  @DisplayName("reset after N request bytes cuts a request in the middle")
  void resetAfterBytes() throws Exception {
    try (Socket s = connect(proxy.port())) {
      proxy.resetRequestsAfter(4);
      assertThatThrownBy(() -> roundTrip(s, "0123456789")).isInstanceOf(IOException.class);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> echo.received().equals("0123"));
  }

  @Test
  @DisplayName("an unreachable engine behind the proxy looks like a reset connection")
  void engineDown() throws Exception {
    int closedPort;
    try (ServerSocket ss = new ServerSocket(0)) {
      closedPort = ss.getLocalPort();
    }
    try (FaultProxy toNowhere = FaultProxy.to(closedPort)) {
      assertThatThrownBy(() -> {
        try (Socket s = connect(toNowhere.port())) { // the reset may beat the end of connect()
          roundTrip(s, "x");
        }
      }).isInstanceOf(IOException.class);
    }
  }

  @Test
  @DisplayName("close() ends every thread of the proxy, with connections open")
  void noThreadLeak() throws Exception {
    Socket s1 = connect(proxy.port());
    Socket s2 = connect(proxy.port());
    roundTrip(s1, "1");
    roundTrip(s2, "2");
    assertThat(proxy.liveThreads()).isEqualTo(5); // acceptor + 2 per connection
    proxy.close();
    assertThat(proxy.liveThreads()).isZero();
    String prefix = "fault-proxy-" + proxy.port() + "-";
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith(prefix));
    s1.close();
    s2.close();
  }

  @Test
  @DisplayName("TLS terminator: a client trusting its certificate talks through it; ALPN is negotiated")
  void tls() throws Exception {
    try (TlsTerminator tls = TlsTerminator.to(echo.port(), "http/1.1")) {
      SSLContext context = tls.clientContext();
      try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", tls.port())) {
        SSLParameters p = s.getSSLParameters();
        p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        p.setEndpointIdentificationAlgorithm("HTTPS"); // checks the certificate's IP:127.0.0.1
        s.setSSLParameters(p);
        s.setSoTimeout(3_000);
        assertThat(roundTrip(s, "secret")).isEqualTo("secret");
        assertThat(s.getApplicationProtocol()).isEqualTo("http/1.1");
      }
      assertThat(tls.handshakes()).isEqualTo(1);
      assertThat(echo.received()).isEqualTo("secret");
      assertThat(tls.certificatePem()).content().startsWith("-----BEGIN CERTIFICATE-----");

      // The JDK's default trust store does not know the self-signed certificate.
      try (SSLSocket s = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket("127.0.0.1", tls.port())) {
        s.setSoTimeout(3_000);
        assertThatThrownBy(s::startHandshake).isInstanceOf(SSLException.class);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> tls.failedHandshakes() == 1);
    }
  }
}
