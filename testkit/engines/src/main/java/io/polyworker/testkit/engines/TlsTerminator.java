package io.polyworker.testkit.engines;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS endpoint on 127.0.0.1 in front of a plain engine: it terminates TLS with a self-signed
 * certificate made at test time and forwards the decrypted bytes to the engine, so that tests can
 * prove a client configured with a custom trust store talks TLS to a real engine. It is a
 * {@link FaultProxy}, so every fault works through TLS too.
 *
 * <pre>{@code
 * try (TlsTerminator tls = TlsTerminator.to(camunda.port(), "http/1.1")) {
 *   OkHttpClient http = new OkHttpClient.Builder()
 *       .sslSocketFactory(tls.clientContext().getSocketFactory(), tls.trustManager()).build();
 *   Engine engine = CamundaEngine.builder().baseUrl(tls.httpsUrl() + "/engine-rest").httpClient(http).build();
 * }
 * }</pre>
 *
 * <p>The certificate (EC P-256, valid two days, subject {@code CN=localhost}, alternative names
 * {@code DNS:localhost} and {@code IP:127.0.0.1}) is made once per JVM with the JDK's
 * {@code keytool}, found next to the running {@code java}; no extra library is needed. Its files live
 * in a temporary directory deleted when the JVM exits.
 *
 * <p>Application protocols (ALPN) are what the endpoint offers in the handshake: {@code "http/1.1"}
 * for the REST engines (an HTTP/2-capable client such as OkHttp would otherwise speak HTTP/2 to an
 * engine that only reads HTTP/1.1), {@code "h2"} for gRPC, none to skip ALPN.
 *
 * <p>Thread-safe; {@link #close()} as for {@link FaultProxy}.
 */
public final class TlsTerminator extends FaultProxy {
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  private final Handshakes handshakes;

  private TlsTerminator(int targetPort, Identity identity, Handshakes handshakes) {
    super("127.0.0.1", targetPort, identity.serverContext.getServerSocketFactory(), handshakes::handshake);
    this.handshakes = handshakes;
  }

  /**
   * Starts a TLS endpoint on a free port of 127.0.0.1 forwarding to {@code 127.0.0.1:targetPort}.
   *
   * @param applicationProtocols the ALPN protocols offered, most preferred first; none to skip ALPN
   * @throws IllegalStateException if the certificate cannot be made (no {@code keytool})
   */
  public static TlsTerminator to(int targetPort, String... applicationProtocols) {
    return new TlsTerminator(targetPort, Identity.get(), new Handshakes(applicationProtocols.clone()));
  }

  /** {@code https://127.0.0.1:<port>}, without a trailing slash. */
  public String httpsUrl() {
    return "https://127.0.0.1:" + port();
  }

  /** The endpoint's self-signed certificate. */
  public X509Certificate certificate() {
    return Identity.get().certificate;
  }

  /** The certificate as a PEM file, for clients configured with a CA file (such as Zeebe's {@code caCertificatePath}). */
  public Path certificatePem() {
    return Identity.get().pem;
  }

  /** A trust store (PKCS12, in memory) holding only this endpoint's certificate. */
  public KeyStore trustStore() {
    return Identity.get().trustStore;
  }

  /** A trust manager that trusts only this endpoint's certificate. */
  public X509TrustManager trustManager() {
    return Identity.get().trustManager;
  }

  /** A client TLS context that trusts only this endpoint's certificate. */
  public SSLContext clientContext() {
    return Identity.get().clientContext;
  }

  /** TLS handshakes completed since the start. */
  public long handshakes() {
    return handshakes.ok.get();
  }

  /** TLS handshakes that failed (for example a client that does not trust the certificate). */
  public long failedHandshakes() {
    return handshakes.failed.get();
  }

  /** The application protocol (ALPN) negotiated on the last completed handshake, or {@code ""}. */
  public String lastApplicationProtocol() {
    return handshakes.lastProtocol;
  }

  /** Runs the server side of the handshake on each accepted socket, before any byte is forwarded. */
  private static final class Handshakes {
    final String[] protocols;
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    volatile String lastProtocol = "";

    Handshakes(String[] protocols) {
      this.protocols = protocols;
    }

    void handshake(Socket socket) {
      SSLSocket tls = (SSLSocket) socket;
      try {
        if (protocols.length > 0) {
          SSLParameters parameters = tls.getSSLParameters();
          parameters.setApplicationProtocols(protocols);
          tls.setSSLParameters(parameters);
        }
        tls.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
        tls.startHandshake();
        tls.setSoTimeout(0);
        String protocol = tls.getApplicationProtocol();
        lastProtocol = protocol == null ? "" : protocol;
        ok.incrementAndGet();
      } catch (IOException e) {
        failed.incrementAndGet();
        throw new UncheckedIOException("TLS handshake failed", e);
      }
    }
  }

  /** The self-signed key and certificate, made once per JVM. */
  private static final class Identity {
    private static volatile Identity instance;

    final SSLContext serverContext;
    final SSLContext clientContext;
    final X509Certificate certificate;
    final KeyStore trustStore;
    final X509TrustManager trustManager;
    final Path pem;

    private Identity(Path directory) throws IOException, GeneralSecurityException, InterruptedException {
      char[] password = randomPassword();
      Path keyStoreFile = directory.resolve("server.p12");
      keytool(List.of("-genkeypair", "-alias", "polyworker-test", "-keyalg", "EC", "-groupname", "secp256r1",
          "-sigalg", "SHA256withECDSA", "-validity", "2", "-dname", "CN=localhost, O=Polyworker tests",
          "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", keyStoreFile.toString(),
          "-storepass:env", "POLYWORKER_TEST_STOREPASS", "-keypass:env", "POLYWORKER_TEST_STOREPASS", "-noprompt"),
          password, directory);
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keyStoreFile)) {
        keyStore.load(in, password);
      }
      certificate = (X509Certificate) keyStore.getCertificate("polyworker-test");
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, password);
      serverContext = SSLContext.getInstance("TLS");
      serverContext.init(kmf.getKeyManagers(), null, new SecureRandom());

      trustStore = KeyStore.getInstance("PKCS12");
      trustStore.load(null, null);
      trustStore.setCertificateEntry("polyworker-test", certificate);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore);
      X509TrustManager found = null;
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          found = x;
        }
      }
      if (found == null) {
        throw new GeneralSecurityException("no X509TrustManager from " + tmf.getAlgorithm());
      }
      trustManager = found;
      clientContext = SSLContext.getInstance("TLS");
      clientContext.init(null, new TrustManager[] {trustManager}, new SecureRandom());

      pem = directory.resolve("server.pem");
      String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(certificate.getEncoded());
      Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n",
          StandardCharsets.US_ASCII);
    }

    static Identity get() {
      Identity current = instance;
      if (current != null) {
        return current;
      }
      synchronized (Identity.class) {
        if (instance == null) {
          Path directory = LocalEngine.newTemporaryDirectory("polyworker-tls-");
          Runtime.getRuntime().addShutdownHook(new Thread(() -> EngineFiles.deleteRecursively(directory),
              "polyworker-tls-cleanup"));
          try {
            instance = new Identity(directory);
          } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the test TLS certificate: " + e, e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the test TLS certificate", e);
          }
        }
        return instance;
      }
    }

    private static char[] randomPassword() {
      byte[] bytes = new byte[16];
      new SecureRandom().nextBytes(bytes);
      return HexFormat.of().formatHex(bytes).toCharArray();
    }

    /** Runs the JDK's keytool; the store password goes through the environment, never the command line. */
    private static void keytool(List<String> arguments, char[] password, Path directory)
        throws IOException, InterruptedException {
      Path keytool = JavaRuntimes.current().resolveSibling(
          System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win") ? "keytool.exe" : "keytool");
      if (!Files.isExecutable(keytool)) {
        throw new IOException("keytool not found next to " + JavaRuntimes.current());
      }
      List<String> command = new ArrayList<>();
      command.add(keytool.toString());
      command.addAll(arguments);
      Path log = directory.resolve("keytool.log");
      ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put("POLYWORKER_TEST_STOREPASS", new String(password));
      Process process = builder.start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("keytool did not finish within 60 s");
      }
      if (process.exitValue() != 0) {
        throw new IOException("keytool exited with " + process.exitValue() + ": "
            + Files.readString(log, StandardCharsets.UTF_8).strip());
      }
    }
  }
}
