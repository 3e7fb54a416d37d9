package io.polyworker.units;

import static io.polyworker.units.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.polyworker.JobResult;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link EmailUnit.Tls#SMTPS} against GreenMail's SMTPS server with a test certificate for
 * 127.0.0.1 (src/test/resources/tls: smtp-server.p12 holds the key, smtp-trust.p12 the certificate
 * alone; password {@code changeit}; valid until 2046).
 */
class EmailUnitSmtpsTest {
  private static final String PASSWORD = "changeit";

  private final GreenMail mail = new GreenMail(ServerSetupTest.SMTPS.dynamicPort());

  @BeforeEach
  void start() throws Exception {
    // GreenMail reads its key store from system properties when it opens the server socket.
    Path keyStore = Path.of(EmailUnitSmtpsTest.class.getResource("/tls/smtp-server.p12").toURI());
    System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_FILE_PROPERTY, keyStore.toString());
    System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_PASSWORD_PROPERTY, PASSWORD);
    System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEY_PASSWORD_PROPERTY, PASSWORD);
    try {
      mail.start();
    } finally {
      System.clearProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_FILE_PROPERTY);
      System.clearProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_PASSWORD_PROPERTY);
      System.clearProperty(DummySSLServerSocketFactory.GREENMAIL_KEY_PASSWORD_PROPERTY);
    }
  }

  @AfterEach
  void stop() {
    mail.stop();
  }

  private static SSLContext trustingTheTestCertificate() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = EmailUnitSmtpsTest.class.getResourceAsStream("/tls/smtp-trust.p12")) {
      trust.load(in, PASSWORD.toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private EmailUnit.Builder unit(String host) {
    return EmailUnit.builder().host(host).port(mail.getSmtps().getPort()).tls(EmailUnit.Tls.SMTPS)
        .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5))
        .from("orders@shop.example").subject("Your order").text("It shipped.");
  }

  private static Map<String, Object> to(String recipient) {
    Map<String, Object> v = new HashMap<>();
    v.put("mail_to", recipient);
    return v;
  }

  @Test
  void sendsOverSmtpsToAServerItTrusts() throws Exception {
    EmailUnit unit = unit("127.0.0.1").sslContext(trustingTheTestCertificate()).build();

    JobResult result = unit.handle(job(to("ann@customer.example")));

    assertThat(result.kind()).isEqualTo(JobResult.Kind.COMPLETE);
    assertThat(mail.getReceivedMessages()).hasSize(1);
    assertThat(unit.toString()).contains("tls=SMTPS").contains("sslContext=TLS");
  }

  @Test
  void refusesACertificateTheJvmDoesNotTrust() {
    EmailUnit unit = unit("127.0.0.1").build();

    assertThatThrownBy(() -> unit.handle(job(to("ann@customer.example"))))
        .isInstanceOf(MailDeliveryException.class)
        .hasMessageContaining("TLS failed")
        .satisfies(e -> assertThat(((MailDeliveryException) e).isRetryable()).isFalse());
    assertThat(mail.getReceivedMessages()).isEmpty();
  }

  @Test
  void refusesATrustedCertificateIssuedForAnotherHostName() throws Exception {
    // The certificate names 127.0.0.1; "localhost" reaches the same server under another name.
    EmailUnit unit = unit("localhost").sslContext(trustingTheTestCertificate()).build();

    assertThatThrownBy(() -> unit.handle(job(to("ann@customer.example"))))
        .isInstanceOf(MailDeliveryException.class)
        .hasMessageContaining("TLS failed")
        .satisfies(e -> assertThat(((MailDeliveryException) e).isRetryable()).isFalse());
    assertThat(mail.getReceivedMessages()).isEmpty();
  }
}
