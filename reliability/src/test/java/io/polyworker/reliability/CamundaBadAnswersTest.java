package io.polyworker.reliability;

import static io.polyworker.WorkerEvent.Type.COMPLETED;
import static io.polyworker.WorkerEvent.Type.FAILED;
import static io.polyworker.WorkerEvent.Type.POLL_ERROR;
import static io.polyworker.WorkerEvent.Type.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyworker.engine.Engine;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.PolyworkerException;
import io.polyworker.SubscriptionOptions;
import io.polyworker.UnreadableValue;
import io.polyworker.WorkerEvent;
import io.polyworker.WorkerOptions;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.reliability.support.CamundaJson;
import io.polyworker.reliability.support.CamundaUnderTest;
import io.polyworker.reliability.support.EngineUnderTest;
import io.polyworker.reliability.support.EventRecorder;
import io.polyworker.reliability.support.FakeEngine;
import io.polyworker.reliability.support.FakeEngine.Answer;
import io.polyworker.reliability.support.Measured;
import io.polyworker.reliability.support.RestJson;
import io.polyworker.reliability.support.UncaughtExceptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Bad answers from the engine, fed to a running worker by a fake Camunda REST server (and, where
 * Camunda itself produces one, by the real engine): each must end in a clear exception on a
 * POLL_ERROR event or in a failed job with a clear message, and never in a dead poller: the worker
 * keeps polling and runs jobs again as soon as the answers are good. The client-level checks of the
 * same answers are in the conformance kit ({@code EngineCompatibilityKit.MalformedAnswers}).
 */
class CamundaBadAnswersTest {
  private static final String TOPIC = "bad-input";
  private final UncaughtExceptions uncaught = new UncaughtExceptions();
  private FakeEngine fake;
  private Engine engine;
  private EventRecorder events;
  private JobWorker worker;
  private final Map<String, Object> seen = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    uncaught.install();
    fake = FakeEngine.camunda();
    engine = CamundaEngine.builder().baseUrl(fake.camundaUrl()).requestTimeout(Duration.ofSeconds(30)).build();
    events = new EventRecorder();
  }

  @AfterEach
  void stop() throws Exception {
    if (worker != null) {
      worker.close();
    }
    engine.close();
    fake.close();
    assertThat(uncaught.uninstall()).as("exceptions that escaped a thread").isEmpty();
  }

  private void startWorker(JobHandler handler) {
    startWorker(handler, 2);
  }

  private void startWorker(JobHandler handler, int slots) {
    worker = JobWorker.builder(engine).options(WorkerOptions.builder().workerId("w")
            .pollErrorBackoff(Duration.ofMillis(50), Duration.ofMillis(300)).listener(events).build())
        .subscribe(TOPIC, handler, SubscriptionOptions.builder().maxConcurrentJobs(slots).build())
        .build().start();
  }

  private static JobHandler recordingHandler(Map<String, Object> seen) {
    return job -> {
      seen.put(job.id(), job.variables().asMap());
      return JobResult.complete(Map.of("ok", true));
    };
  }

  @Test
  @DisplayName("non-JSON, truncated, wrongly shaped and error answers: clear POLL_ERRORs, the poller lives and recovers")
  void badAnswersNeverKillThePoller() {
    Map<String, Answer> bad = new LinkedHashMap<>();
    bad.put("HTML instead of JSON", Answer.json(200, "<html><body>502 Bad Gateway from the proxy</body></html>"));
    bad.put("truncated JSON", Answer.json(200, "[" + CamundaJson.task("t1", TOPIC, "{}").substring(0, 60)));
    bad.put("an object instead of an array", Answer.json(200, "{\"unexpected\":true}"));
    bad.put("JSON null", Answer.json(200, "null"));
    bad.put("an empty 200 body", new Answer(200, new byte[0]));
    bad.put("a task that is a number", Answer.json(200, "[42]"));
    bad.put("a task without an id", Answer.json(200, "[" + CamundaJson.task("t0", TOPIC, "{}")
        .replace("\"id\":\"t0\",", "") + "]"));
    bad.put("HTTP 502 with an HTML page", Answer.json(502, "<html>bad gateway</html>"));
    bad.put("HTTP 400 with a non-JSON body", Answer.json(400, "bad request, very bad"));

    startWorker(recordingHandler(seen));
    Thread poller = EngineDownContract.pollerThread(TOPIC);
    List<String> messages = new ArrayList<>();
    for (Map.Entry<String, Answer> e : bad.entrySet()) {
      fake.answer(e.getValue());
      long before = events.count(POLL_ERROR);
      await().atMost(Duration.ofSeconds(10)).until(() -> events.count(POLL_ERROR) >= before + 2);
      List<WorkerEvent> errors = events.of(POLL_ERROR);
      Throwable last = errors.get(errors.size() - 1).error();
      assertThat(last).as(e.getKey()).isInstanceOf(PolyworkerException.class);
      assertThat(last.getMessage()).as(e.getKey()).startsWith("[camunda] fetchAndLock failed");
      messages.add(e.getKey() + " -> " + last.getClass().getSimpleName() + ": " + last.getMessage());
      assertThat(poller.isAlive()).isTrue();
      assertThat(worker.isRunning()).isTrue();
    }
    assertThat(seen).as("no handler ran on a bad answer").isEmpty();

    // Good answers again: the same worker runs the job.
    fake.answer(Answer.json(200, "[]"));
    fake.answerOnce(Answer.json(200, "[" + CamundaJson.task("good-1", TOPIC,
        "{\"n\":{\"type\":\"Integer\",\"value\":7,\"valueInfo\":{}}}") + "]"));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.count(COMPLETED) == 1);
    assertThat(fake.requests()).anyMatch(r -> r.path().endsWith("/external-task/good-1/complete"));
    Measured.report("bad-answers/camunda", "%d kinds of bad answer, each gave POLL_ERRORs with: %s; then a good answer "
        + "was handled by the same poller", bad.size(), String.join(" | ", messages));
  }

  @Test
  @DisplayName("a task that cannot be read is failed in the engine with the reason; the tasks fetched with it run")
  void unreadableTaskIsFailedNotTheBatch() {
    startWorker(recordingHandler(seen), 4);
    fake.answerOnce(Answer.json(200, "["
        + CamundaJson.task("bad-expiry", TOPIC, "{}").replace("2099-01-01T00:00:00.000+0000", "next tuesday") + ","
        + CamundaJson.task("fine-1", TOPIC, "{}") + ","
        + CamundaJson.task("bad-vars", TOPIC, "[1,2]").replace("\"retries\":null", "\"retries\":2") + ","
        + CamundaJson.task("bad-retries", TOPIC, "{}").replace("\"retries\":null", "\"retries\":\"many\"") + "]"));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.count(COMPLETED) == 1 && events.count(FAILED) == 3);
    assertThat(seen).as("only the readable task reached a handler").containsOnlyKeys("fine-1");
    assertThat(events.count(POLL_ERROR)).isZero();
    assertThat(events.count(STARTED)).as("no handler started for an unreadable task").isEqualTo(1);
    Map<String, Map<?, ?>> failures = new LinkedHashMap<>();
    for (String id : List.of("bad-expiry", "bad-vars", "bad-retries")) {
      FakeEngine.Recorded failure = fake.requests().stream()
          .filter(r -> r.path().endsWith("/external-task/" + id + "/failure")).findFirst().orElseThrow();
      failures.put(id, (Map<?, ?>) parse(failure.body()));
    }
    assertThat((String) failures.get("bad-expiry").get("errorMessage"))
        .contains("[camunda] fetchAndLock", "external task bad-expiry cannot be read", "next tuesday");
    assertThat((String) failures.get("bad-vars").get("errorMessage"))
        .contains("external task bad-vars cannot be read", "variables is not an object");
    assertThat((String) failures.get("bad-retries").get("errorMessage"))
        .contains("external task bad-retries cannot be read", "retries");
    // Retries as for a handler exception: the task's own minus one, or the default (3) minus one.
    assertThat(failures.get("bad-vars").get("retries")).isEqualTo(1);
    assertThat(failures.get("bad-expiry").get("retries")).isEqualTo(2);
    assertThat(failures.get("bad-retries").get("retries")).isEqualTo(2);
    assertThat(fake.requests()).anyMatch(r -> r.path().endsWith("/external-task/fine-1/complete"));
    Measured.report("unreadable-task/camunda", "a batch of 4 tasks, 3 of them unreadable (lock expiry, variables, "
        + "retries): the readable one completed, each unreadable one failed in the engine with errorMessage: %s",
        failures.values().stream().map(f -> "'" + f.get("errorMessage") + "' (retries " + f.get("retries") + ")")
            .reduce((a, b) -> a + " | " + b).orElse(""));
  }

  private static byte[] taskWithString(String id, int chars) {
    char[] x = new char[chars];
    Arrays.fill(x, 'x');
    return ("[" + CamundaJson.task(id, TOPIC, "{\"big\":{\"type\":\"String\",\"value\":\"" + new String(x)
        + "\",\"valueInfo\":{}}}") + "]").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("a 19 MB variable reaches the handler intact; a 21 MB one is a clear POLL_ERROR; the worker goes on")
  void hugeVariables() {
    int fits = 19 * 1024 * 1024;
    int tooBig = 21 * 1024 * 1024;
    AtomicReference<Integer> length = new AtomicReference<>();
    startWorker(job -> {
      String big = job.variables().get("big", String.class);
      length.set(big == null ? -1 : big.length());
      return JobResult.complete(Map.of("length", length.get()));
    });
    long answeredAt = System.nanoTime();
    fake.answerOnce(new Answer(200, taskWithString("big-1", fits)));
    await().atMost(Duration.ofSeconds(30)).until(() -> events.count(COMPLETED) == 1);
    long millis = (System.nanoTime() - answeredAt) / 1_000_000;
    assertThat(length.get()).isEqualTo(fits);

    long errorsBefore = events.count(POLL_ERROR);
    fake.answerOnce(new Answer(200, taskWithString("big-2", tooBig)));
    await().atMost(Duration.ofSeconds(30)).until(() -> events.count(POLL_ERROR) > errorsBefore);
    Throwable error = events.of(POLL_ERROR).get((int) errorsBefore).error();
    assertThat(error).isInstanceOf(PolyworkerException.class)
        .hasMessageContaining("[camunda] fetchAndLock failed").hasMessageContaining("exceeds the maximum allowed");

    fake.answerOnce(Answer.json(200, "[" + CamundaJson.task("small-1", TOPIC, "{}") + "]"));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.count(COMPLETED) == 2);
    Measured.report("huge-variable/camunda", "a %d MB String variable reached the handler intact, completed %d ms "
        + "after the fake started answering with it; a %d MB one gave POLL_ERROR '%s'; the next job ran as usual",
        fits / 1024 / 1024, millis, tooBig / 1024 / 1024, error.getMessage());
  }

  @Test
  @DisplayName("badly typed variables poison neither their job nor the batch: they are unreadable values, the rest is intact")
  void badlyTypedVariables() {
    Map<String, Map<String, Object>> byJob = new ConcurrentHashMap<>();
    startWorker(job -> {
      byJob.put(job.id(), job.variables().asMap());
      return JobResult.complete();
    });
    String odd = "{\"n\":{\"type\":\"Integer\",\"value\":\"forty-two\",\"valueInfo\":{}},"
        + "\"d\":{\"type\":\"Double\",\"value\":\"NaN\",\"valueInfo\":{}},"
        + "\"k\":5,\"t\":{\"value\":\"no type\"},"
        + "\"ok\":{\"type\":\"String\",\"value\":\"fine\",\"valueInfo\":{}}}";
    fake.answerOnce(Answer.json(200, "[" + CamundaJson.task("odd-vars", TOPIC, odd) + ","
        + CamundaJson.task("plain", TOPIC, "{}") + "]"));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.count(COMPLETED) == 2);
    Map<String, Object> vars = byJob.get("odd-vars");
    assertThat(vars.get("n")).isInstanceOf(UnreadableValue.class);
    assertThat(vars.get("k")).isInstanceOf(UnreadableValue.class);
    assertThat(vars.get("t")).isInstanceOf(UnreadableValue.class);
    assertThat((Double) vars.get("d")).isNaN();
    assertThat(vars.get("ok")).isEqualTo("fine");
    assertThat(byJob).containsKey("plain");
    assertThat(events.count(POLL_ERROR)).isZero();
    Measured.report("badly-typed-variables/camunda", "a task with an Integer holding text, a NaN Double, a bare "
        + "number and a value without type, fetched with a plain task: both ran; n=%s, k=%s, t=%s, d=%s, ok=%s",
        vars.get("n"), vars.get("k"), vars.get("t"), vars.get("d"), vars.get("ok"));
  }

  @Test
  @DisplayName("unknown variable types reach the handler as unreadable values; reading one fails the job clearly")
  void unknownVariableTypes() {
    startWorker(job -> {
      seen.put("odd", job.variables().asMap().get("odd"));
      return JobResult.complete(Map.of("odd", job.variables().get("odd", String.class)));
    });
    fake.answerOnce(Answer.json(200, "[" + CamundaJson.task("odd-1", TOPIC,
        "{\"odd\":{\"type\":\"QuantumState\",\"value\":\"both\",\"valueInfo\":{}},"
            + "\"fine\":{\"type\":\"String\",\"value\":\"yes\",\"valueInfo\":{}}}") + "]"));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.count(FAILED) == 1);
    assertThat(seen.get("odd")).isInstanceOf(UnreadableValue.class);
    FakeEngine.Recorded failure = fake.requests().stream()
        .filter(r -> r.path().endsWith("/external-task/odd-1/failure")).findFirst().orElseThrow();
    String message = RestJson.JSON.valueToTree(parse(failure.body())).path("errorMessage").asText();
    Measured.report("unknown-variable-type/camunda", "job failed with errorMessage: %s", message);
    assertThat(message).contains("odd").contains("QuantumState");
  }

  private static Object parse(String json) {
    try {
      return RestJson.JSON.readValue(json, Object.class);
    } catch (Exception e) {
      throw new AssertionError(json, e);
    }
  }

  @Test
  @DisplayName("a Double NaN variable in the real engine neither blocks the jobs fetched with it nor gets lost")
  void doubleNaNFromTheRealEngine() {
    CamundaUnderTest camunda = new CamundaUnderTest();
    try (Engine admin = camunda.connect()) {
      String key = EngineUnderTest.unique("nan");
      String topic = EngineUnderTest.unique("nan_t");
      camunda.deploySingleTask(admin, key, topic);
      RestJson.post(camunda.restUrl() + "/process-definition/key/" + key + "/start",
          Map.of("variables", Map.of("x", Map.of("type", "Double", "value", "NaN"))), 200);
      List<String> good = camunda.startInstances(admin, key, 3, i -> Map.of("x", 1.5), 1);
      JobWorker w = JobWorker.builder(admin).workerId("nan-worker").listener(events)
          .subscribe(topic, job -> JobResult.complete(Map.of("seen", String.valueOf(job.variables().asMap().get("x")))),
              SubscriptionOptions.builder().lockDuration(Duration.ofSeconds(5)).longPollTimeout(Duration.ofSeconds(1)).build())
          .build().start();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> events.count(STARTED) >= 4);
        await().atMost(Duration.ofSeconds(30)).until(() -> camunda.progress(key, topic).completedInstances() >= 3);
        assertThat(camunda.ledger(key).values()).filteredOn(o -> good.contains(o.instanceId()))
            .allMatch(o -> o.completions() == 1);
        Measured.report("double-nan/camunda", "a real Camunda Double NaN variable (sent as the string \"NaN\") and three "
            + "plain jobs on the same topic: %d handler starts, %d completions, %d poll errors", events.count(STARTED),
            events.count(COMPLETED), events.count(POLL_ERROR));
      } finally {
        w.close();
      }
    }
  }
}
