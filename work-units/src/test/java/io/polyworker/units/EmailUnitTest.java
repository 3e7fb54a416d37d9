package io.polyworker.units;

import static io.polyworker.units.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.polyworker.JobResult;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The e-mail unit against GreenMail, a real SMTP server in this JVM. */
class EmailUnitTest {
  @RegisterExtension
  static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  private static EmailUnit.Builder unit() {
    return EmailUnit.builder()
        .host("127.0.0.1")
        .port(MAIL.getSmtp().getPort())
        .tls(EmailUnit.Tls.NONE)
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(5))
        .from("Orders <orders@shop.example>")
        .subject("Order {{order.id}} shipped")
        .text("Hello {{name}}, order {{order.id}} is on its way.");
  }

  private static Map<String, Object> orderVariables() {
    Map<String, Object> v = new HashMap<>();
    v.put("mail_to", "Ann <ann@customer.example>");
    v.put("name", "Ann & <Bob>");
    v.put("order", Map.of("id", "A-17", "total", 19.9));
    return v;
  }

  @Test
  void sendsTextAndHtmlWithValuesEscapedInHtmlOnly() throws Exception {
    EmailUnit unit = unit().html("<p>Hello {{name}}, total {{ order.total }}</p>").build();

    JobResult result = unit.handle(job(orderVariables()));

    assertThat(result.kind()).isEqualTo(JobResult.Kind.COMPLETE);
    MimeMessage[] received = MAIL.getReceivedMessages();
    assertThat(received).hasSize(1);
    MimeMessage mail = received[0];
    assertThat(result.variables()).containsEntry("mail_message_id", mail.getMessageID());
    assertThat(mail.getSubject()).isEqualTo("Order A-17 shipped");
    assertThat(mail.getFrom()[0].toString()).isEqualTo("Orders <orders@shop.example>");
    assertThat(mail.getRecipients(Message.RecipientType.TO)[0].toString())
        .isEqualTo("Ann <ann@customer.example>");
    MimeMultipart alternative = (MimeMultipart) mail.getContent();
    assertThat(alternative.getContentType()).startsWith("multipart/alternative");
    assertThat(alternative.getBodyPart(0).getContentType()).startsWith("text/plain");
    assertThat(alternative.getBodyPart(0).getContent())
        .isEqualTo("Hello Ann & <Bob>, order A-17 is on its way.");
    assertThat(alternative.getBodyPart(1).getContentType()).startsWith("text/html");
    assertThat(alternative.getBodyPart(1).getContent())
        .isEqualTo("<p>Hello Ann &amp; &lt;Bob&gt;, total 19.9</p>");
  }

  @Test
  void sendsHtmlAloneAndCcFromAListWithUtf8() throws Exception {
    EmailUnit unit = EmailUnit.builder().host("127.0.0.1").port(MAIL.getSmtp().getPort())
        .tls(EmailUnit.Tls.NONE).from("orders@shop.example").subject("Grüße, {{name}}")
        .html("<b>{{name}}</b>").build();
    Map<String, Object> v = new HashMap<>();
    v.put("mail_to", List.of("ann@customer.example", "bob@customer.example"));
    v.put("mail_cc", "carl@shop.example, Dana <dana@shop.example>");
    v.put("name", "Zoë");

    JobResult result = unit.handle(job(v));

    assertThat(result.kind()).isEqualTo(JobResult.Kind.COMPLETE);
    // GreenMail stores one copy per recipient: two to, two cc.
    MimeMessage[] received = MAIL.getReceivedMessages();
    assertThat(received).hasSize(4);
    MimeMessage mail = received[0];
    assertThat(mail.getSubject()).isEqualTo("Grüße, Zoë");
    assertThat(mail.getContentType()).startsWith("text/html");
    assertThat(mail.getContent()).isEqualTo("<b>Zoë</b>");
    assertThat(mail.getRecipients(Message.RecipientType.TO)).extracting(Object::toString)
        .containsExactly("ann@customer.example", "bob@customer.example");
    assertThat(mail.getRecipients(Message.RecipientType.CC)).extracting(Object::toString)
        .containsExactly("carl@shop.example", "Dana <dana@shop.example>");
  }

  @Test
  void stripsLineBreaksFromTheSubject() throws Exception {
    EmailUnit unit = unit().subject("Order {{order.id}}").build();
    Map<String, Object> v = orderVariables();
    v.put("order", Map.of("id", "A-17\r\nBcc: eve@evil.example\nX-Injected: yes"));

    JobResult result = unit.handle(job(v));

    assertThat(result.kind()).isEqualTo(JobResult.Kind.COMPLETE);
    MimeMessage mail = MAIL.getReceivedMessages()[0];
    assertThat(mail.getSubject()).isEqualTo("Order A-17  Bcc: eve@evil.example X-Injected: yes");
    assertThat(mail.getHeader("X-Injected")).isNull();
    assertThat(mail.getRecipients(Message.RecipientType.BCC)).isNull();
    assertThat(MAIL.getReceivedMessages()).hasSize(1);
  }

  @Test
  void aMissingTemplateVariableFailsWithoutRetriesNamingItAndSendsNothing() {
    EmailUnit unit = unit().build();
    Map<String, Object> v = orderVariables();
    v.remove("name");

    JobResult result = unit.handle(job(v));

    assertThat(result.kind()).isEqualTo(JobResult.Kind.FAIL);
    assertThat(result.retries()).isZero();
    assertThat(result.errorMessage()).contains("text template").contains("{{name}}")
        .contains("variable 'name' is not set");
    assertThat(MAIL.getReceivedMessages()).isEmpty();
  }

  @Test
  void aMissingFieldOrNullValueIsAFailureTooNeverAnEmptyString() {
    EmailUnit unit = unit().build();
    Map<String, Object> v = orderVariables();
    v.put("order", Map.of("number", "A-17"));
    JobResult noField = unit.handle(job(v));
    assertThat(noField.retries()).isZero();
    assertThat(noField.errorMessage()).contains("subject template").contains("{{order.id}}")
        .contains("'order' has no field 'id'");

    Map<String, Object> withNull = orderVariables();
    withNull.put("name", null);
    JobResult nullValue = unit.handle(job(withNull));
    assertThat(nullValue.retries()).isZero();
    assertThat(nullValue.errorMessage()).contains("{{name}}").contains("null");
    assertThat(MAIL.getReceivedMessages()).isEmpty();
  }

  @Test
  void missingRecipientsFailWithoutRetries() {
    Map<String, Object> v = orderVariables();
    v.remove("mail_to");

    JobResult result = unit().build().handle(job(v));

    assertThat(result.kind()).isEqualTo(JobResult.Kind.FAIL);
    assertThat(result.retries()).isZero();
    assertThat(result.errorMessage()).contains("mail_to").contains("not set");
  }

  @Test
  void anAddressThatDoesNotParseIsABpmnErrorThatNamesNoAddress() {
    Map<String, Object> v = orderVariables();
    v.put("mail_to", "ann@customer.example, not an address");

    JobResult result = unit().build().handle(job(v));

    assertThat(result.kind()).isEqualTo(JobResult.Kind.BPMN_ERROR);
    assertThat(result.errorCode()).isEqualTo(EmailUnit.INVALID_RECIPIENT)
        .isEqualTo("MAIL_INVALID_RECIPIENT");
    assertThat(result.errorMessage()).contains("mail_to").doesNotContain("ann@")
        .doesNotContain("not an address");
    assertThat(MAIL.getReceivedMessages()).isEmpty();
  }

  @Test
  void aRecipientOutsideTheAllowedDomainsIsRefusedBeforeAnythingIsSent() throws Exception {
    EmailUnit unit = unit().allowedRecipientDomains("customer.example", "*.shop.example").build();
    Map<String, Object> v = orderVariables();
    v.put("mail_cc", List.of("desk@eu.shop.example", "eve@shop.example"));

    JobResult refused = unit.handle(job(v));

    assertThat(refused.kind()).isEqualTo(JobResult.Kind.BPMN_ERROR);
    assertThat(refused.errorCode()).isEqualTo(EmailUnit.RECIPIENT_NOT_ALLOWED);
    assertThat(refused.errorMessage()).contains("mail_cc").contains("recipient 2")
        .doesNotContain("eve");
    assertThat(MAIL.getReceivedMessages()).isEmpty();

    v.put("mail_cc", List.of("desk@eu.shop.example"));
    v.put("mail_to", "ANN@Customer.Example");
    assertThat(unit.handle(job(v)).kind()).isEqualTo(JobResult.Kind.COMPLETE);
    assertThat(MAIL.getReceivedMessages()).hasSize(2);
  }

  @Test
  void aServerThatIsDownThrowsARetryableFailure() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    EmailUnit unit = unit().port(port).build();

    assertThatThrownBy(() -> unit.handle(job(orderVariables())))
        .isInstanceOf(MailDeliveryException.class)
        .hasMessageContaining("cannot connect")
        .hasMessageContaining("127.0.0.1:" + port)
        .hasNoCause()
        .satisfies(e -> assertThat(((MailDeliveryException) e).isRetryable()).isTrue());
  }

  @Test
  void aServerThatNeverAnswersTimesOutAsARetryableFailure() throws IOException {
    try (ServerSocket silent = new ServerSocket(0)) {
      EmailUnit unit = unit().port(silent.getLocalPort()).readTimeout(Duration.ofMillis(300)).build();

      assertThatThrownBy(() -> unit.handle(job(orderVariables())))
          .isInstanceOf(MailDeliveryException.class)
          .hasMessageContaining("timed out")
          .satisfies(e -> assertThat(((MailDeliveryException) e).isRetryable()).isTrue());
    }
  }

  @Test
  void requiredStartTlsIsNotDowngradedToPlainText() {
    EmailUnit unit = unit().tls(EmailUnit.Tls.STARTTLS).credentials("orders", "s3cret-pw").build();

    assertThatThrownBy(() -> unit.handle(job(orderVariables())))
        .isInstanceOf(MailDeliveryException.class)
        .hasMessageContaining("does not offer STARTTLS")
        .satisfies(e -> assertThat(((MailDeliveryException) e).isRetryable()).isFalse());
    assertThat(MAIL.getReceivedMessages()).isEmpty();
  }

  @Test
  void logsInWithCredentials() throws Exception {
    MAIL.setUser("orders@shop.example", "orders", "s3cret-pw");
    EmailUnit unit = unit().credentials("orders", "s3cret-pw").build();

    assertThat(unit.handle(job(orderVariables())).kind()).isEqualTo(JobResult.Kind.COMPLETE);
    assertThat(GreenMailUtil.getBody(MAIL.getReceivedMessages()[0])).contains("Hello Ann");
  }

  @Test
  void aRefusedLoginIsAFailureThatSaysSoWithoutThePassword() {
    MAIL.setUser("orders@shop.example", "orders", "s3cret-pw");
    EmailUnit unit = unit().credentials("orders", "wrong-pw").build();

    assertThatThrownBy(() -> unit.handle(job(orderVariables())))
        .isInstanceOf(MailDeliveryException.class)
        .hasMessageContaining("refused the login")
        .hasMessageNotContaining("wrong-pw")
        .satisfies(e -> assertThat(((MailDeliveryException) e).isRetryable()).isFalse());
    assertThat(MAIL.getReceivedMessages()).isEmpty();
  }

  @Test
  void toStringHidesThePassword() {
    EmailUnit unit = unit().credentials("orders", "s3cret-pw").build();

    assertThat(unit.toString()).contains("password=****").contains("username=orders")
        .contains("127.0.0.1").doesNotContain("s3cret-pw");
  }

  @Test
  void builderMisuseNamesTheOption() {
    assertThatThrownBy(() -> EmailUnit.builder().from("a@b.example").subject("s").text("t").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("host");
    assertThatThrownBy(() -> unit().from("not an address"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from");
    assertThatThrownBy(() -> EmailUnit.builder().host("h").subject("s").text("t").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("from");
    assertThatThrownBy(() -> EmailUnit.builder().host("h").from("a@b.example").subject("s").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("body");
    assertThatThrownBy(() -> unit().subject("{{oops"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subject template");
    assertThatThrownBy(() -> unit().allowedRecipientDomains("a@b.example"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowedRecipientDomains");
    assertThatThrownBy(() -> unit().connectTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> unit().port(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
    assertThat(EmailUnit.builder().host("h").credentials("orders@shop.example", "pw").subject("s")
        .text("t").build().toString()).contains("from=orders@shop.example").contains("port=587")
        .contains("tls=STARTTLS");
  }

  @Test
  void readsOnlyTheVariablesItNeeds() {
    EmailUnit unit = unit().html("{{footer}} {{name}}").build();

    assertThat(unit.variableNames()).containsExactly("mail_to", "mail_cc", "order", "name", "footer");
  }

  @Test
  void variableNamesAreOverridable() throws Exception {
    EmailUnit unit = unit().toVariable("customerEmail").ccVariable("copyTo")
        .messageIdVariable("confirmationMailId").build();
    Map<String, Object> v = orderVariables();
    v.remove("mail_to");
    v.put("customerEmail", "ann@customer.example");
    v.put("copyTo", "desk@shop.example");

    JobResult result = unit.handle(job(v));

    assertThat(result.variables()).containsOnlyKeys("confirmationMailId");
    assertThat(MAIL.getReceivedMessages()).hasSize(2);
  }
}
