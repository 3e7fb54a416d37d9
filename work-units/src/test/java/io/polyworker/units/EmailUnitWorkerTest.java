package io.polyworker.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.polyworker.DeploymentResource;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerOptions;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.memory.InMemoryEngine;
import io.polyworker.worker.JobWorker;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The e-mail unit registered on a real JobWorker over the in-memory engine, mail to GreenMail. */
class EmailUnitWorkerTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @RegisterExtension
  static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  private final InMemoryEngine engine = InMemoryEngine.create();
  private JobWorker worker;

  @AfterEach
  void close() {
    if (worker != null) {
      worker.close();
    }
    engine.close();
  }

  private String deploy(TestProcess process) {
    engine.processClient().deploy(DeploymentResource.of(process.resourceName(),
        process.toXml(Dialect.CAMUNDA)));
    return process.id();
  }

  private void startWorker(EmailUnit unit) {
    WorkerOptions options = WorkerOptions.builder().workerId("mail-worker")
        .emptyPollBackoff(Duration.ofMillis(10), Duration.ofMillis(100)).build();
    worker = JobWorker.builder(engine).options(options)
        .subscribe("send-mail", unit, SubscriptionOptions.builder()
            .variables(unit.variableNames()).build())
        .build().start();
  }

  private static EmailUnit.Builder unit() {
    return EmailUnit.builder().host("127.0.0.1").port(MAIL.getSmtp().getPort())
        .tls(EmailUnit.Tls.NONE).from("orders@shop.example")
        .subject("Order {{order.id}} shipped")
        .text("Hello {{customer}}, order {{order.id}} is on its way.");
  }

  @Test
  void completesTheJobWithTheMessageIdOfTheMailThatArrived() throws Exception {
    startWorker(unit().build());
    String key = deploy(TestProcess.named("shipping").task("mail", "send-mail"));

    String instance = engine.processClient().startProcess(key, Map.of(
        "mail_to", "ann@customer.example", "customer", "Ann", "order", Map.of("id", "A-17")));

    await().atMost(PATIENCE)
        .until(() -> engine.instanceState(instance) == InstanceState.COMPLETED);
    assertThat(MAIL.waitForIncomingEmail(PATIENCE.toMillis(), 1)).isTrue();
    MimeMessage mail = MAIL.getReceivedMessages()[0];
    assertThat(mail.getSubject()).isEqualTo("Order A-17 shipped");
    assertThat(engine.processVariables(instance))
        .containsEntry("mail_message_id", mail.getMessageID());
    assertThat(mail.getMessageID()).startsWith("<").endsWith("@shop.example>");
  }

  @Test
  void anInvalidRecipientTakesTheModelsErrorPath() {
    startWorker(unit().build());
    String key = deploy(TestProcess.named("shipping-error").task("mail", "send-mail")
        .catchError("mail", EmailUnit.INVALID_RECIPIENT, "fix-address"));

    String instance = engine.processClient().startProcess(key, Map.of(
        "mail_to", "not an address", "customer", "Ann", "order", Map.of("id", "A-17")));

    await().atMost(PATIENCE).until(() -> engine.jobs().stream()
        .anyMatch(j -> j.topic().equals("fix-address")
            && j.processInstanceId().equals(instance)));
    assertThat(MAIL.getReceivedMessages()).isEmpty();
  }

  @Test
  void aMissingTemplateValueRaisesAnIncidentAtOnce() {
    startWorker(unit().build());
    String key = deploy(TestProcess.named("shipping-incident").task("mail", "send-mail"));

    String instance = engine.processClient().startProcess(key, Map.of(
        "mail_to", "ann@customer.example", "order", Map.of("id", "A-17")));

    await().atMost(PATIENCE).until(() -> engine.hasIncident(instance));
    assertThat(MAIL.getReceivedMessages()).isEmpty();
  }
}
