package io.polyworker.units;

import static io.polyworker.units.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.mail.MailAddress;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.smtp.SmtpManager;
import com.icegreen.greenmail.smtp.SmtpState;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.polyworker.JobResult;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recipients the SMTP server refuses. Stock GreenMail accepts every RCPT, so this test runs a
 * GreenMail whose SMTP manager answers RCPT for {@code unknown@…} with 550 and for {@code full@…}
 * with 452, as a real server does for a mailbox that does not exist or is over quota.
 */
class EmailUnitRecipientRejectedTest {
  private final GreenMail mail = new RejectingGreenMail(ServerSetupTest.SMTP.dynamicPort());

  @BeforeEach
  void start() {
    mail.start();
  }

  @AfterEach
  void stop() {
    mail.stop();
  }

  private EmailUnit unit() {
    return EmailUnit.builder().host("127.0.0.1").port(mail.getSmtp().getPort())
        .tls(EmailUnit.Tls.NONE).from("orders@shop.example").subject("Your order")
        .text("It shipped.").build();
  }

  private static Map<String, Object> to(String recipients) {
    Map<String, Object> v = new HashMap<>();
    v.put("mail_to", recipients);
    return v;
  }

  @Test
  void aRecipientRejectedWith5xxIsABpmnErrorAndNothingIsSent() {
    JobResult result = unit().handle(job(to("ann@customer.example, unknown@customer.example")));

    assertThat(result.kind()).isEqualTo(JobResult.Kind.BPMN_ERROR);
    assertThat(result.errorCode()).isEqualTo(EmailUnit.INVALID_RECIPIENT);
    assertThat(result.errorMessage()).contains("rejected a recipient").contains("550")
        .doesNotContain("unknown@").doesNotContain("ann@");
    assertThat(mail.getReceivedMessages()).isEmpty();
  }

  @Test
  void aRecipientDeferredWith4xxIsARetryableFailure() {
    assertThatThrownBy(() -> unit().handle(job(to("full@customer.example"))))
        .isInstanceOf(MailDeliveryException.class)
        .hasMessageContaining("deferred a recipient")
        .hasMessageNotContaining("full@")
        .satisfies(e -> {
          MailDeliveryException m = (MailDeliveryException) e;
          assertThat(m.isRetryable()).isTrue();
          assertThat(m.status()).isEqualTo(452);
        });
    assertThat(mail.getReceivedMessages()).isEmpty();
  }

  @Test
  void theOthersStillGetThrough() {
    assertThat(unit().handle(job(to("ann@customer.example"))).kind())
        .isEqualTo(JobResult.Kind.COMPLETE);
    assertThat(mail.getReceivedMessages()).hasSize(1);
  }

  /** GreenMail with an SMTP manager that refuses some recipients; mailboxes as usual. */
  private static final class RejectingGreenMail extends GreenMail {
    RejectingGreenMail(ServerSetup setup) {
      super(setup);
    }

    @Override
    protected Map<String, AbstractServer> createServices(ServerSetup[] setups, Managers managers) {
      return super.createServices(setups, new RejectingManagers(managers));
    }
  }

  private static final class RejectingManagers extends Managers {
    private final Managers delegate;
    private final SmtpManager smtp;

    RejectingManagers(Managers delegate) {
      this.delegate = delegate;
      this.smtp = new SmtpManager(delegate.getImapHostManager(), delegate.getUserManager()) {
        @Override
        public String checkRecipient(SmtpState state, MailAddress address) {
          String user = address.getUser();
          if (user.equals("unknown")) {
            return "550 5.1.1 No such mailbox";
          }
          if (user.equals("full")) {
            return "452 4.2.2 Mailbox full, try later";
          }
          return super.checkRecipient(state, address);
        }
      };
    }

    @Override
    public SmtpManager getSmtpManager() {
      return smtp;
    }

    @Override
    public UserManager getUserManager() {
      return delegate.getUserManager();
    }

    @Override
    public ImapHostManager getImapHostManager() {
      return delegate.getImapHostManager();
    }
  }
}
