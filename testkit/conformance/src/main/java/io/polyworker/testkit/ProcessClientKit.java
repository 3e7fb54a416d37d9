package io.polyworker.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.polyworker.DeployedDefinition;
import io.polyworker.DeploymentResource;
import io.polyworker.EngineUnavailableException;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.MessageAlreadyExistsException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ProcessAwaitTimeoutException;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessInstanceFailedException;
import io.polyworker.ProcessResult;
import io.polyworker.PublishMessage;
import io.polyworker.StartProcess;
import io.polyworker.spi.Capability;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.common.TestProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts on the engine's {@link ProcessClient}: deployments, starting instances (by version, and
 * awaiting their end), messages and their correlation, cancellation. Run by the
 * {@link EngineCompatibilityKit} as its group "process client".
 */
abstract class ProcessClientKit extends KitSupport {

  private ProcessClient processes() {
    return engine().processClient();
  }

  @Test
  @DisplayName("deploy returns the definitions with key, id and a version that counts up")
  void deployReturnsDefinitions() {
    TestProcess p = simple(unique("t"));
    List<DeployedDefinition> first = processes().deploy(DeploymentResource.of(p.resourceName(),
        p.toXml(fixture().dialect())));
    // A changed model: engines may skip redeploying identical content (Zeebe does).
    TestProcess changed = TestProcess.named(p.id()).task("task", unique("t2"));
    List<DeployedDefinition> second = processes().deploy(DeploymentResource.of(p.resourceName(),
        changed.toXml(fixture().dialect())));
    assertThat(first).singleElement().satisfies(d -> {
      assertThat(d.key()).isEqualTo(p.id());
      assertThat(d.id()).isNotBlank();
      assertThat(d.version()).isEqualTo(1);
    });
    assertThat(second).singleElement().satisfies(d -> assertThat(d.version()).isEqualTo(2));
  }

  @Test
  @DisplayName("an invalid definition raises InvalidDefinition with the engine's parse message")
  void invalidDefinition() {
    String broken = "<?xml version=\"1.0\"?><definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\""
        + " targetNamespace=\"x\"><process id=\"broken\" isExecutable=\"true\">"
        + "<startEvent id=\"s\"/><sequenceFlow id=\"f\" sourceRef=\"s\" targetRef=\"nowhere\"/>"
        + "</process></definitions>";
    assertThatThrownBy(() -> processes().deploy(DeploymentResource.of("broken.bpmn", broken)))
        .isInstanceOf(InvalidDefinitionException.class)
        .satisfies(e -> assertThat(((PolyworkerException) e).detail()).isNotBlank())
        .hasMessageContaining(engine().id());
  }

  @Test
  @DisplayName("starting an unknown process raises NotFound")
  void startUnknownProcess() {
    assertThatThrownBy(() -> processes().startProcess(unique("missing"), Map.of()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining(engine().id());
  }

  @Test
  @DisplayName("a version can be started explicitly")
  void startVersion() {
    String id = unique("p");
    String topicV1 = unique("v1");
    String topicV2 = unique("v2");
    deploy(TestProcess.named(id).task("task", topicV1));
    deploy(TestProcess.named(id).task("task", topicV2));
    String instance = processes().startProcess(StartProcess.of(id).withVersion(1));
    LockedJob job = fetchOne(topicV1);
    assertThat(job.processInstanceId()).isEqualTo(instance);
    assertThatThrownBy(() -> processes().startProcess(StartProcess.of(id).withVersion(7)))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  @DisplayName("a process without a none start event is refused with a clear error, or started through its message start event where the engine does that")
  void noNoneStartEvent() {
    String topic = unique("t");
    TestProcess p = deploy(TestProcess.named(unique("p")).startOnMessage(unique("go")).task("task", topic));
    if (engine().capabilities().has(Capability.START_NEEDS_NONE_START_EVENT)) {
      assertThatThrownBy(() -> processes().startProcess(p.id(), Map.of()))
          .isInstanceOf(PolyworkerException.class)
          .isNotInstanceOf(EngineUnavailableException.class)
          .hasMessageContaining(engine().id());
    } else {
      String instance = processes().startProcess(p.id(), Map.of());
      assertThat(fetchOne(topic).processInstanceId()).isEqualTo(instance);
    }
  }

  @Test
  @DisplayName("start and await returns the end-state variables")
  void startAndAwait() {
    TestProcess p = deployServed(job -> JobResult.complete(Map.of("doubled",
        job.variables().get("n", Integer.class) * 2)));
    ProcessResult result = processes().startProcessAndAwait(StartProcess.of(p.id())
        .withVariables(Map.of("n", 21)), PATIENCE);
    assertThat(result.processInstanceId()).isNotBlank();
    assertThat(result.variables()).containsEntry("doubled", 42).containsEntry("n", 21);
    ProcessResult only = processes().startProcessAndAwait(StartProcess.of(p.id())
        .withVariables(Map.of("n", 1)).withFetchVariables(List.of("doubled")), PATIENCE);
    assertThat(only.variables()).containsOnlyKeys("doubled");
  }

  @Test
  @DisplayName("start and await times out with the id of the instance, which keeps running")
  void startAndAwaitTimesOut() {
    TestProcess p = deploySimple(unique("t"));
    long started = System.nanoTime();
    ProcessAwaitTimeoutException e = catchThrowableOfType(ProcessAwaitTimeoutException.class,
        () -> processes().startProcessAndAwait(StartProcess.of(p.id()), Duration.ofSeconds(2)));
    assertThat(e).isNotNull();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    assertThat(e).hasMessageContaining(engine().id());
    if (engine().capabilities().has(Capability.AWAIT_FAILS_FAST)) {
      // Engines that follow the instance themselves name it, and it keeps running.
      assertThat(e.processInstanceId()).isNotBlank();
      assertThat(fixture().instanceState(e.processInstanceId())).isEqualTo(InstanceState.ACTIVE);
    }
  }

  @Test
  @DisplayName("start and await fails fast when the instance raises an incident")
  void startAndAwaitIncident() {
    require(Capability.AWAIT_FAILS_FAST);
    TestProcess p = deployServed(job -> JobResult.fail("cannot", null, 0, Duration.ZERO));
    long started = System.nanoTime();
    assertAwaitFails(p, "incident");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PATIENCE);
  }

  @Test
  @DisplayName("start and await fails fast when the instance is cancelled")
  void startAndAwaitCancelled() throws Exception {
    require(Capability.AWAIT_FAILS_FAST);
    String topic = unique("t");
    TestProcess p = deploySimple(topic);
    ExecutorService canceller = Executors.newSingleThreadExecutor();
    try {
      canceller.submit(() -> {
        LockedJob job = fetchOne(topic);
        processes().cancelProcessInstance(job.processInstanceId());
        return null;
      });
      assertAwaitFails(p, "cancel");
    } finally {
      canceller.shutdownNow();
    }
  }

  /** Deploys a one-task process whose jobs a worker answers with {@code handler}; returns it. */
  private TestProcess deployServed(JobHandler handler) {
    String topic = unique("t");
    TestProcess p = deploySimple(topic);
    startWorker(topic, handler);
    return p;
  }

  /**
   * Starts an instance of {@code p} and awaits its end for up to two minutes; asserts that the await
   * fails as {@link ProcessInstanceFailedException} whose message names {@code why}.
   */
  private void assertAwaitFails(TestProcess p, String why) {
    assertThatThrownBy(() -> processes().startProcessAndAwait(StartProcess.of(p.id()), Duration.ofMinutes(2)))
        .isInstanceOf(ProcessInstanceFailedException.class)
        .hasMessageContaining(why);
  }

  /**
   * A deployed process whose instances wait for a fresh message, correlated by their variable
   * {@code orderId}, then offer a job on a fresh topic; with a fresh correlation key to start
   * instances and publish the message with.
   */
  private final class Waiting {
    final String message;
    final String topic = unique("t");
    final String key = unique("order");
    final TestProcess process;

    Waiting(String messagePrefix) {
      message = unique(messagePrefix);
      process = deploy(TestProcess.named(unique("p")).waitForMessage("wait", message, "orderId")
          .task("task", topic));
    }

    /** Starts an instance that waits for the message with {@link #key}, as orderId and business key. */
    String startWithKey() {
      return start(process, Map.of("orderId", key), key);
    }

    /** The message with {@link #key}, without variables and without a time to live. */
    PublishMessage publication() {
      return PublishMessage.of(message, key);
    }
  }

  @Test
  @DisplayName("a message reaches the instance waiting with that correlation key, with its variables")
  void publishCorrelates() {
    Waiting waiting = new Waiting("paid");
    String other = start(waiting.process, Map.of("orderId", unique("order")), unique("bk"));
    String instance = waiting.startWithKey();
    awaitPublished(waiting.publication().withVariables(Map.of("amount", 12))
        .withCorrelationVariable("orderId"));
    LockedJob job = fetchOne(waiting.topic);
    assertThat(job.processInstanceId()).isEqualTo(instance).isNotEqualTo(other);
    assertThat(job.variables()).containsEntry("amount", 12);
  }

  @Test
  @DisplayName("a message correlates by business key where the engine has business keys")
  void publishCorrelatesByBusinessKey() {
    require(Capability.BUSINESS_KEYS);
    Waiting waiting = new Waiting("paid");
    String instance = waiting.startWithKey();
    awaitPublished(waiting.publication());
    assertThat(fetchOne(waiting.topic).processInstanceId()).isEqualTo(instance);
  }

  /** The instance reaches its catch event asynchronously on some engines: publish once it waits. */
  private void awaitPublished(PublishMessage message) {
    await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).ignoreException(NotFoundException.class)
        .until(() -> {
          processes().publishMessage(message.withTimeToLive(Duration.ZERO));
          return true;
        });
  }

  @Test
  @DisplayName("a message with no subscriber and no time to live is not delivered later")
  void publishWithoutSubscriber() {
    Waiting waiting = new Waiting("nobody");
    if (engine().capabilities().has(Capability.MESSAGE_BUFFERING)) {
      processes().publishMessage(waiting.publication());
    } else {
      assertThatThrownBy(() -> processes().publishMessage(waiting.publication()))
          .isInstanceOf(NotFoundException.class).hasMessageContaining(engine().id());
    }
    waiting.startWithKey();
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .until(() -> fetch(unique("w"), waiting.topic, 1, Duration.ofSeconds(30)).isEmpty());
  }

  @Test
  @DisplayName("a message with a time to live reaches an instance that starts waiting later")
  void publishWithTimeToLive() {
    Waiting waiting = new Waiting("later");
    processes().publishMessage(waiting.publication().withTimeToLive(Duration.ofSeconds(30))
        .withCorrelationVariable("orderId"));
    String instance = waiting.startWithKey();
    assertThat(fetchOne(waiting.topic).processInstanceId()).isEqualTo(instance);
  }

  @Test
  @DisplayName("a second message with the same id while the first lives is rejected")
  void duplicateMessageId() {
    String message = unique("dup");
    PublishMessage m = PublishMessage.of(message, unique("k")).withTimeToLive(Duration.ofSeconds(30))
        .withMessageId(unique("id"));
    processes().publishMessage(m);
    assertThatThrownBy(() -> processes().publishMessage(m))
        .isInstanceOf(MessageAlreadyExistsException.class).hasMessageContaining(engine().id());
  }

  @Test
  @DisplayName("a message starts an instance at a message start event")
  void messageStartEvent() {
    String message = unique("go");
    String topic = unique("t");
    deploy(TestProcess.named(unique("p")).startOnMessage(message).task("task", topic));
    processes().publishMessage(PublishMessage.of(message, unique("k")).withVariables(Map.of("x", 1)));
    LockedJob job = fetchOne(topic);
    assertThat(job.variables()).containsEntry("x", 1);
  }

  @Test
  @DisplayName("cancel ends a running instance; unknown or ended instances raise NotFound")
  void cancel() {
    String instance = startSimple(unique("t"));
    processes().cancelProcessInstance(instance);
    awaitState(instance, InstanceState.TERMINATED);
    assertThatThrownBy(() -> processes().cancelProcessInstance(instance))
        .isInstanceOf(NotFoundException.class).hasMessageContaining(engine().id());
    assertThatThrownBy(() -> processes().cancelProcessInstance(fixture().unknownInstanceId()))
        .isInstanceOf(NotFoundException.class);
  }
}
