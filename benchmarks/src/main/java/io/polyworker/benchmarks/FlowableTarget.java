package io.polyworker.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.engine.EngineConfig;
import io.polyworker.testkit.engines.LocalFlowable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Flowable 7.2 (Spring Boot, H2). Flowable's official Java worker client does not resolve from the
 * Maven Central reachable here, so the reference is the loop that client runs by default, written
 * out: one consumer acquiring one job (lock 5 min), running and completing it, acquiring again at
 * once after a job and after 30 s after an empty answer, over the JDK HTTP client as that client
 * uses.
 */
final class FlowableTarget extends Target {
  private final Settings settings;

  FlowableTarget(Settings settings) {
    super(LocalFlowable.create());
    this.settings = settings;
  }

  private String jobApi() {
    return ((LocalFlowable) local()).externalJobApiUrl();
  }

  @Override
  String id() {
    return "flowable";
  }

  @Override
  String name() {
    return "Flowable 7.2.0";
  }

  @Override
  Map<String, String> config() {
    return Map.of(EngineConfig.ENGINE, "flowable", EngineConfig.URL, ((LocalFlowable) local()).baseUrl());
  }

  @Override
  String bpmn(String key, String topic) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:flowable="http://flowable.org/bpmn"
                     id="d_%1$s" targetNamespace="http://polyworker.io/benchmarks">
          <process id="%1$s" isExecutable="true">
            <startEvent id="start"/>
            <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
            <serviceTask id="work" flowable:type="external-worker" flowable:topic="%2$s"/>
            <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
            <endEvent id="end"/>
          </process>
        </definitions>
        """.formatted(key, topic);
  }

  @Override
  List<Client> clients() {
    return List.of(new PolyworkerClient(this::newEngine), new PolyworkerClient(this::newEngine, true),
        PolyworkerClient.adaptive(this::newEngine),
        new AnnotatedClient(this::newEngine), new Reference(), new Raw());
  }

  private BatchLoop loop(String name, int batch, boolean sequential, String lock, int optimisticRetries,
      Duration idlePause, String topic, Variant variant, Probe probe) {
    Http http = new Http();
    String base = jobApi();
    String workerId = "bench-" + name;
    return new BatchLoop("flowable-" + name, batch, sequential, idlePause, variant, probe) {
      @Override
      List<RawJob> fetch(int max) throws Exception {
        Map<String, Object> body = Map.of(
            "topic", topic,
            "lockDuration", lock,
            "numberOfTasks", max,
            "numberOfRetries", optimisticRetries,
            "workerId", workerId);
        JsonNode answer = http.post(base + "/acquire/jobs", body, Duration.ofSeconds(30));
        List<RawJob> jobs = new ArrayList<>();
        for (JsonNode job : answer) {
          jobs.add(new RawJob(job.get("id").asText(), job.get("processInstanceId").asText(), job));
        }
        return jobs;
      }

      @Override
      void complete(RawJob job) throws Exception {
        http.post(base + "/acquire/jobs/" + job.id() + "/complete", Map.of("workerId", workerId),
            Duration.ofSeconds(30));
      }
    }.start();
  }

  /** The official Flowable worker's default loop; see the class comment. */
  private final class Reference implements Client {
    @Override
    public Kind kind() {
      return Kind.OFFICIAL;
    }

    @Override
    public String label() {
      return "Flowable reference loop (official client does not resolve from Maven Central)";
    }

    @Override
    public String fetchCounting() {
      return "counted by the loop when sent";
    }

    @Override
    public Running open(String topic, Variant variant, Probe probe) {
      return loop("reference", 1, true, "PT5M", 5, Duration.ofSeconds(30), topic, variant, probe);
    }
  }

  /** The raw limit: acquire up to raw-batch jobs, run and complete them in parallel, 100 ms pause when empty. */
  private final class Raw implements Client {
    @Override
    public Kind kind() {
      return Kind.RAW;
    }

    @Override
    public String label() {
      return "raw loop (acquire " + settings.rawBatch() + ", parallel completes, 100 ms idle pause)";
    }

    @Override
    public String fetchCounting() {
      return "counted by the loop when sent";
    }

    @Override
    public Running open(String topic, Variant variant, Probe probe) {
      return loop("raw", settings.rawBatch(), false, "PT30S", 5, Duration.ofMillis(100), topic, variant, probe);
    }
  }
}
