package io.polyworker.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.polyworker.DeploymentResource;
import io.polyworker.JobResult;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessResult;
import io.polyworker.StartProcess;
import io.polyworker.SubscriptionOptions;
import io.polyworker.engine.Engine;
import io.polyworker.engine.Engines;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.units.EmailUnit;
import io.polyworker.units.HttpCallUnit;
import io.polyworker.units.SubProcessUnit;
import io.polyworker.worker.JobWorker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The work units in real processes on every engine: the HTTP unit against a real HTTP server
 * (success, 4xx down the boundary path, 5xx and timeouts retried into an incident, a host off the allow-list
 * refused into an incident without a request), the e-mail unit against a real SMTP server
 * (GreenMail; a missing template value is an incident at once), and the sub-process unit starting
 * a child, waiting for it and mapping its result back.
 */
class WorkUnitsOnEnginesTest {

  @RegisterExtension
  static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  private HttpServer server;
  private String base;
  private final AtomicInteger downCalls = new AtomicInteger();
  private final AtomicInteger slowCalls = new AtomicInteger();
  private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool()); // a slow answer blocks no other
    server.createContext("/stock/ok", ex -> answer(ex, 200, "{\"inStock\":true,\"count\":3}"));
    server.createContext("/stock/gone", ex -> answer(ex, 404, "{\"error\":\"no such item\"}"));
    server.createContext("/stock/slow", ex -> {
      slowCalls.incrementAndGet();
      try {
        release.await(30, java.util.concurrent.TimeUnit.SECONDS); // answers only after the unit gave up
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(ex, 200, "{}");
    });
    server.createContext("/stock/down", ex -> {
      downCalls.incrementAndGet();
      answer(ex, 503, "{}");
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stopServer() {
    release.countDown();
    server.stop(0);
  }

  private static void answer(com.sun.net.httpserver.HttpExchange ex, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"camunda", "flowable", "zeebe"})
  void theHttpUnitCompletesBranchesRetriesTimesOutAndRefuses(String engineId) {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String topic = "http-" + run;
    Set<String> notFound = ConcurrentHashMap.newKeySet();
    TestProcess process = TestProcess.named("stock_" + run.replace('-', '_')).task("check", topic)
        .catchError("check", "HTTP_404", "gone-" + run);
    try (Engine engine = Engines.fromConfig(SharedEngines.config(engineId));
         JobWorker worker = JobWorker.builder(engine)
             .subscribe(topic, HttpCallUnit.builder().allow(base + "/stock").timeout(Duration.ofMillis(500)).build(),
                 SubscriptionOptions.builder().defaultRetries(2).retryBackoff(Duration.ZERO).build())
             .subscribe("gone-" + run, job -> {
               notFound.add(job.processInstanceId());
               return JobResult.complete();
             })
             .build().start()) {
      ProcessClient client = engine.processClient();
      client.deploy(DeploymentResource.of(process.resourceName(), process.toXml(SharedEngines.dialect(engineId))));

      ProcessResult ok = client.startProcessAndAwait(StartProcess.of(process.id())
          .withVariables(Map.of("http_url", base + "/stock/ok")), Duration.ofSeconds(60));
      assertThat(ok.variables().get("http_response")).isEqualTo(Map.of("status", 200,
          "headers", Map.of("content-type", "application/json"), "body", Map.of("inStock", true, "count", 3)));

      ProcessResult gone = client.startProcessAndAwait(StartProcess.of(process.id())
          .withVariables(Map.of("http_url", base + "/stock/gone")), Duration.ofSeconds(60));
      assertThat(notFound).containsExactly(gone.processInstanceId());

      String down = client.startProcess(process.id(), Map.of("http_url", base + "/stock/down"));
      await().atMost(Duration.ofSeconds(60)).until(() -> SharedEngines.hasIncident(engineId, down));
      // Camunda's tasks start without retries (the subscription's 2 apply); Flowable's and Zeebe's carry 3.
      assertThat(downCalls.get()).isEqualTo(engineId.equals("camunda") ? 2 : 3);

      String slow = client.startProcess(process.id(), Map.of("http_url", base + "/stock/slow"));
      await().atMost(Duration.ofSeconds(60)).until(() -> SharedEngines.hasIncident(engineId, slow));
      assertThat(slowCalls.get()).isEqualTo(engineId.equals("camunda") ? 2 : 3);

      String outside = client.startProcess(process.id(), Map.of("http_url",
          "http://localhost:" + server.getAddress().getPort() + "/stock/ok"));
      await().atMost(Duration.ofSeconds(60)).until(() -> SharedEngines.hasIncident(engineId, outside));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"camunda", "flowable", "zeebe"})
  void theEmailUnitSendsAndAMissingTemplateValueIsAnIncident(String engineId) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    TestProcess process = TestProcess.named("mail_" + run.replace('-', '_')).task("mail", "mail-" + run);
    EmailUnit unit = EmailUnit.builder().host("127.0.0.1").port(MAIL.getSmtp().getPort()).tls(EmailUnit.Tls.NONE)
        .from("orders@shop.example").subject("Order {{orderId}} shipped").text("Hello {{name}}, it is on its way.")
        .build();
    try (Engine engine = Engines.fromConfig(SharedEngines.config(engineId));
         JobWorker worker = JobWorker.builder(engine).subscribe("mail-" + run, unit).build().start()) {
      ProcessClient client = engine.processClient();
      client.deploy(DeploymentResource.of(process.resourceName(), process.toXml(SharedEngines.dialect(engineId))));
      ProcessResult sent = client.startProcessAndAwait(StartProcess.of(process.id()).withVariables(
          Map.of("orderId", "A-" + run, "name", "Ada", "mail_to", "ada@customer.example")), Duration.ofSeconds(60));
      assertThat(sent.variables()).containsKey("mail_message_id");
      assertThat(java.util.Arrays.stream(MAIL.getReceivedMessages()).map(m -> {
        try {
          return m.getSubject();
        } catch (jakarta.mail.MessagingException e) {
          throw new IllegalStateException(e);
        }
      })).contains("Order A-" + run + " shipped");

      String missing = client.startProcess(process.id(), Map.of("orderId", "B-" + run, "mail_to", "bo@customer.example"));
      await().atMost(Duration.ofSeconds(60)).until(() -> SharedEngines.hasIncident(engineId, missing));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"camunda", "flowable", "zeebe"})
  void theSubProcessUnitStartsAChildAwaitsItAndMapsItsResult(String engineId) {
    String run = UUID.randomUUID().toString().substring(0, 8);
    TestProcess child = TestProcess.named("child_" + run.replace('-', '_')).task("double", "double-" + run);
    TestProcess parent = TestProcess.named("parent_" + run.replace('-', '_')).task("call", "call-" + run);
    try (Engine engine = Engines.fromConfig(SharedEngines.config(engineId))) {
      ProcessClient client = engine.processClient();
      client.deploy(DeploymentResource.of(child.resourceName(), child.toXml(SharedEngines.dialect(engineId))));
      client.deploy(DeploymentResource.of(parent.resourceName(), parent.toXml(SharedEngines.dialect(engineId))));
      try (JobWorker worker = JobWorker.builder(engine)
          .subscribe("call-" + run, SubProcessUnit.builder(client).processKey(child.id())
              .input("amount", "n").awaitResult(Duration.ofSeconds(60)).output("doubled", "total").build())
          .subscribe("double-" + run, job -> JobResult.complete(
              Map.of("doubled", 2 * job.variables().get("n", Integer.class))))
          .build().start()) {
        ProcessResult result = client.startProcessAndAwait(StartProcess.of(parent.id())
            .withVariables(Map.of("amount", 21)), Duration.ofSeconds(90));
        assertThat(result.variables()).containsEntry("total", 42).containsKey(SubProcessUnit.DEFAULT_INSTANCE_ID_VARIABLE)
            .doesNotContainKey("doubled");
      }
    }
  }
}
