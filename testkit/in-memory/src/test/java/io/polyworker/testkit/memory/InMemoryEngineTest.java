package io.polyworker.testkit.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyworker.DeploymentResource;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.JobLockLostException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ProcessResult;
import io.polyworker.PublishMessage;
import io.polyworker.ResultRejectedException;
import io.polyworker.StartProcess;
import io.polyworker.VariableException;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.TestProcess;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the kit does not ask of an engine but users of the fake rely on. */
class InMemoryEngineTest {
  private final MutableClock clock = new MutableClock();
  private final InMemoryEngine engine = InMemoryEngine.builder().clock(clock).build();

  @AfterEach
  void close() {
    engine.close();
  }

  private void deploy(TestProcess p, Dialect dialect) {
    engine.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(dialect)));
  }

  private List<LockedJob> fetch(String worker, String topic) {
    return engine.jobClient().fetchAndLock(FetchRequest.of(worker, topic, 10, Duration.ofSeconds(10))).join();
  }

  @ParameterizedTest
  @EnumSource(Dialect.class)
  void everyDialectDeploysWithTopicsAndHeaders(Dialect dialect) {
    deploy(TestProcess.named("p").task("a", "ta").task("b", "tb").header("region", "eu"), dialect);
    String instance = engine.processClient().startProcess("p", Map.of(), "bk");
    LockedJob a = fetch("w", "ta").get(0);
    assertThat(a.elementId()).isEqualTo("a");
    if (dialect != Dialect.FLOWABLE) {
      assertThat(a.headers()).containsEntry("region", "eu");
    }
    engine.jobClient().complete(a, "w", Map.of(), Map.of());
    LockedJob b = fetch("w", "tb").get(0);
    engine.jobClient().complete(b, "w", Map.of(), Map.of());
    assertThat(engine.instanceState(instance)).isEqualTo(InstanceState.COMPLETED);
  }

  @Test
  void externalEntitiesAreRefused() {
    String xml = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        + "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><process id=\"&x;\"/></definitions>";
    assertThatThrownBy(() -> engine.processClient().deploy(DeploymentResource.of("x.bpmn", xml)))
        .isInstanceOf(InvalidDefinitionException.class).hasMessageContaining("x.bpmn");
  }

  @Test
  void unsupportedElementsAreNamed() {
    String xml = TestProcess.named("p").task("a", "t").toXml(Dialect.CAMUNDA)
        .replace("<endEvent id=\"end\"/>", "<endEvent id=\"end\"/><userTask id=\"u\"/>");
    assertThatThrownBy(() -> engine.processClient().deploy(DeploymentResource.of("p.bpmn", xml)))
        .isInstanceOf(InvalidDefinitionException.class).hasMessageContaining("userTask");
    assertThatThrownBy(() -> engine.processClient().startProcess("missing", Map.of()))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("missing");
  }

  @Test
  void variablesAreCopiedInAndOut() {
    deploy(TestProcess.named("p").task("a", "t"), Dialect.CAMUNDA);
    Map<String, Object> order = new HashMap<>(Map.of("id", "A-1"));
    Map<String, Object> vars = new HashMap<>(Map.of("order", order));
    String instance = engine.processClient().startProcess("p", vars);
    order.put("id", "changed");
    vars.put("sneaky", 1);
    LockedJob job = fetch("w", "t").get(0);
    @SuppressWarnings("unchecked")
    Map<String, Object> fetched = (Map<String, Object>) job.variables().get("order");
    fetched.put("id", "changed too");
    assertThat(engine.processVariables(instance)).containsOnlyKeys("order")
        .containsEntry("order", Map.of("id", "A-1"));
  }

  @Test
  void unserializableVariablesAreRefusedNamingThem() {
    deploy(TestProcess.named("p").task("a", "t"), Dialect.CAMUNDA);
    assertThatThrownBy(() -> engine.processClient().startProcess("p", Map.of("loop", new Loop())))
        .isInstanceOf(VariableException.class).hasMessageContaining("'loop'");
  }

  /** Refers to itself: Jackson cannot write it. */
  public static final class Loop {
    public Loop getSelf() {
      return this;
    }
  }

  @Test
  void locksExpireByTheEnginesClock() {
    deploy(TestProcess.named("p").task("a", "t"), Dialect.CAMUNDA);
    engine.processClient().startProcess("p", Map.of());
    LockedJob first = fetch("w1", "t").get(0);
    assertThat(fetch("w2", "t")).isEmpty();
    clock.advance(Duration.ofSeconds(10));
    LockedJob second = fetch("w2", "t").get(0);
    assertThat(second.id()).isEqualTo(first.id());
    assertThatThrownBy(() -> engine.jobClient().complete(first, "w1", Map.of(), Map.of()))
        .isInstanceOf(JobLockLostException.class).hasMessageContaining("w2");
    assertThatThrownBy(() -> engine.jobClient().extendLock(first, "w1", Duration.ofSeconds(5)))
        .isInstanceOf(JobLockLostException.class);
  }

  @Test
  void uncaughtBpmnErrorEndsTheInstanceWithoutIncident() {
    deploy(TestProcess.named("p").task("a", "t"), Dialect.CAMUNDA);
    String instance = engine.processClient().startProcess("p", Map.of());
    LockedJob job = fetch("w", "t").get(0);
    engine.jobClient().bpmnError(job, "w", "NOPE", "no catcher", Map.of());
    assertThat(engine.instanceState(instance)).isEqualTo(InstanceState.COMPLETED);
    assertThat(engine.hasIncident(instance)).isFalse();
  }

  @Test
  void aFailureTheEngineCannotStoreIsARefusedContentAndLeavesTheJobLocked() {
    deploy(TestProcess.named("p").task("a", "t"), Dialect.CAMUNDA);
    engine.processClient().startProcess("p", Map.of());
    LockedJob job = fetch("w", "t").get(0);
    assertThatThrownBy(() -> engine.jobClient().fail(job, "w", "boom", null, -1, Duration.ZERO))
        .isInstanceOfSatisfying(ResultRejectedException.class, e -> {
          assertThat(e.operation()).isEqualTo("fail");
          assertThat(e.status()).isEqualTo(400);
        });
    assertThatThrownBy(() -> engine.jobClient().fail(job, "w", "boom", null, 1, Duration.ofSeconds(-1)))
        .isInstanceOf(ResultRejectedException.class);
    engine.jobClient().complete(job, "w", Map.of(), Map.of());
  }

  @Test
  void failureBackoffFollowsTheClock() {
    deploy(TestProcess.named("p").task("a", "t"), Dialect.CAMUNDA);
    engine.processClient().startProcess("p", Map.of());
    LockedJob job = fetch("w", "t").get(0);
    engine.jobClient().fail(job, "w", "boom", null, 2, Duration.ofMinutes(5));
    assertThat(fetch("w", "t")).isEmpty();
    clock.advance(Duration.ofMinutes(5));
    assertThat(fetch("w", "t")).singleElement().satisfies(j -> assertThat(j.retries()).isEqualTo(2));
    assertThat(engine.calls(InMemoryEngine.Operation.FETCH_AND_LOCK)).isEqualTo(3);
  }

  @Test
  void injectedFailuresHitTheNextCallsOnly() {
    engine.failNext(InMemoryEngine.Operation.DEPLOY, 1, () -> InMemoryEngine.unavailable(InMemoryEngine.Operation.DEPLOY));
    List<Throwable> errors = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      try {
        deploy(TestProcess.named("p").task("a", "t"), Dialect.ZEEBE);
      } catch (RuntimeException e) {
        errors.add(e);
      }
    }
    assertThat(errors).singleElement().satisfies(e -> assertThat(((io.polyworker.PolyworkerException) e).isRetryable()).isTrue());
    assertThat(engine.calls(InMemoryEngine.Operation.DEPLOY)).isEqualTo(2);
  }

  @Test
  void resultsForJobsOfACancelledInstanceRaiseNotFound() {
    deploy(TestProcess.named("p").task("a", "t"), Dialect.CAMUNDA);
    String instance = engine.processClient().startProcess("p", Map.of());
    LockedJob job = fetch("w", "t").get(0);
    engine.processClient().cancelProcessInstance(instance);
    assertThat(engine.instanceState(instance)).isEqualTo(InstanceState.TERMINATED);
    assertThat(engine.job(job.id())).hasValueSatisfying(j ->
        assertThat(j.state()).isEqualTo(InMemoryJob.State.CANCELLED));
    assertThatThrownBy(() -> engine.jobClient().complete(job, "w", Map.of(), Map.of()))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("cancelled");
    clock.advance(Duration.ofMinutes(1));
    assertThat(fetch("w", "t")).isEmpty();
  }

  @Test
  void cancellingAnInstanceWithAnIncidentClearsTheIncident() {
    deploy(TestProcess.named("p").task("a", "t"), Dialect.CAMUNDA);
    String instance = engine.processClient().startProcess("p", Map.of());
    engine.jobClient().fail(fetch("w", "t").get(0), "w", "boom", null, 0, Duration.ZERO);
    assertThat(engine.hasIncident(instance)).isTrue();
    engine.processClient().cancelProcessInstance(instance);
    assertThat(engine.hasIncident(instance)).isFalse();
  }

  @Test
  void messageStartEventsTakeTheCorrelationKeyAsBusinessKeyAndRefuseAPlainStart() {
    deploy(TestProcess.named("p").startOnMessage("go").task("a", "t"), Dialect.ZEEBE);
    assertThatThrownBy(() -> engine.processClient().startProcess("p", Map.of()))
        .isInstanceOf(PolyworkerException.class).hasMessageContaining("none start event")
        .hasMessageContaining("go");
    String instance = engine.processClient().publishMessage(PublishMessage.of("go", "order-1")
        .withVariables(Map.of("x", 1)));
    LockedJob job = fetch("w", "t").get(0);
    assertThat(job.processInstanceId()).isEqualTo(instance);
    assertThat(job.businessKey()).isEqualTo("order-1");
    assertThat(job.variables()).containsEntry("x", 1);
  }

  @Test
  void aMessageStartEventNameBelongsToOneProcess() {
    deploy(TestProcess.named("p").startOnMessage("go").task("a", "t"), Dialect.CAMUNDA);
    deploy(TestProcess.named("p").startOnMessage("go").task("a", "t2"), Dialect.CAMUNDA);
    assertThatThrownBy(() -> deploy(TestProcess.named("q").startOnMessage("go").task("a", "t"), Dialect.CAMUNDA))
        .isInstanceOf(InvalidDefinitionException.class).hasMessageContaining("'go'").hasMessageContaining("'p'");
    engine.processClient().publishMessage(PublishMessage.of("go", "k"));
    assertThat(fetch("w", "t2")).hasSize(1); // the latest version subscribes
  }

  @Test
  void aMessageMatchingTwoInstancesIsRefusedAndReachesNeither() {
    deploy(TestProcess.named("p").waitForMessage("wait", "paid", "orderId").task("a", "t"), Dialect.CAMUNDA);
    engine.processClient().startProcess("p", Map.of("orderId", "o-1"));
    engine.processClient().startProcess("p", Map.of("orderId", "o-1"));
    assertThatThrownBy(() -> engine.processClient().publishMessage(PublishMessage.of("paid", "o-1")
        .withCorrelationVariable("orderId")))
        .isInstanceOf(PolyworkerException.class).isNotInstanceOf(NotFoundException.class)
        .hasMessageContaining("2 match");
    assertThat(fetch("w", "t")).isEmpty();
  }

  @Test
  void messageEventsNeedADeclaredMessage() {
    String xml = TestProcess.named("p").waitForMessage("wait", "paid", "orderId").task("a", "t")
        .toXml(Dialect.CAMUNDA).replace("messageRef=\"msg_paid\"", "messageRef=\"msg_other\"");
    assertThatThrownBy(() -> engine.processClient().deploy(DeploymentResource.of("p.bpmn", xml)))
        .isInstanceOf(InvalidDefinitionException.class).hasMessageContaining("msg_other");
    String timer = TestProcess.named("p").waitForMessage("wait", "paid", "orderId").task("a", "t")
        .toXml(Dialect.CAMUNDA).replace("<messageEventDefinition messageRef=\"msg_paid\"/>",
            "<timerEventDefinition/>");
    assertThatThrownBy(() -> engine.processClient().deploy(DeploymentResource.of("p.bpmn", timer)))
        .isInstanceOf(InvalidDefinitionException.class).hasMessageContaining("wait");
  }

  @Test
  void startingForATenantOrAMissingVersionIsNotFound() {
    deploy(TestProcess.named("p").task("a", "t"), Dialect.CAMUNDA);
    assertThatThrownBy(() -> engine.processClient().startProcess(StartProcess.of("p").withTenantId("acme")))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("tenant");
    assertThatThrownBy(() -> engine.processClient().startProcess(StartProcess.of("p").withVersion(2)))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("version 2");
    String instance = engine.processClient().startProcess(StartProcess.of("p").withVersion(1)
        .withBusinessKey("bk"));
    assertThat(fetch("w", "t")).singleElement().satisfies(j -> {
      assertThat(j.processInstanceId()).isEqualTo(instance);
      assertThat(j.businessKey()).isEqualTo("bk");
    });
  }

  @Test
  void startAndAwaitReturnsAtOnceForAnInstanceThatEndsAtStart() {
    String xml = "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><process id=\"q\">"
        + "<startEvent id=\"s\"/><sequenceFlow id=\"f\" sourceRef=\"s\" targetRef=\"e\"/><endEvent id=\"e\"/>"
        + "</process></definitions>";
    engine.processClient().deploy(DeploymentResource.of("q.bpmn", xml));
    ProcessResult result = engine.processClient().startProcessAndAwait(StartProcess.of("q")
        .withVariables(Map.of("a", 1, "b", 2)).withFetchVariables(List.of("b")), Duration.ofSeconds(5));
    assertThat(result.variables()).containsOnly(Map.entry("b", 2));
    assertThat(engine.calls(InMemoryEngine.Operation.START_PROCESS_AND_AWAIT)).isEqualTo(1);
  }

  private static final class MutableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now; }
  }
}
