package io.polyworker.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.engine.EngineConfig;
import io.polyworker.testkit.engines.LocalCamunda;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.client.ExternalTaskClient;

/** Camunda 7.24 (Spring Boot, H2) with the official external task client and a raw REST loop. */
final class CamundaTarget extends Target {
  private final Settings settings;

  CamundaTarget(Settings settings) {
    super(LocalCamunda.create());
    this.settings = settings;
  }

  private String restUrl() {
    return ((LocalCamunda) local()).restUrl();
  }

  @Override
  String id() {
    return "camunda";
  }

  @Override
  String name() {
    return "Camunda 7.24.0";
  }

  @Override
  Map<String, String> config() {
    return Map.of(EngineConfig.ENGINE, "camunda", EngineConfig.URL, restUrl());
  }

  @Override
  String bpmn(String key, String topic) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                     id="d_%1$s" targetNamespace="http://polyworker.io/benchmarks">
          <process id="%1$s" isExecutable="true" camunda:historyTimeToLive="P1D">
            <startEvent id="start"/>
            <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
            <serviceTask id="work" camunda:type="external" camunda:topic="%2$s"/>
            <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
            <endEvent id="end"/>
          </process>
        </definitions>
        """.formatted(key, topic);
  }

  @Override
  String spawnerBpmn(String key) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                     id="d_%2$s" targetNamespace="http://polyworker.io/benchmarks">
          <process id="%2$s" isExecutable="true" camunda:historyTimeToLive="P1D">
            <startEvent id="start"/>
            <sequenceFlow id="f1" sourceRef="start" targetRef="spawn"/>
            <serviceTask id="spawn"
                camunda:expression="${execution.processEngineServices.runtimeService.startProcessInstanceByKey('%1$s')}">
              <multiInstanceLoopCharacteristics isSequential="true">
                <loopCardinality>${count}</loopCardinality>
              </multiInstanceLoopCharacteristics>
            </serviceTask>
            <sequenceFlow id="f2" sourceRef="spawn" targetRef="end"/>
            <endEvent id="end"/>
          </process>
        </definitions>
        """.formatted(key, spawnerKey(key));
  }

  @Override
  List<Client> clients() {
    return List.of(new PolyworkerClient(this::newEngine), new PolyworkerClient(this::newEngine, true),
        PolyworkerClient.adaptive(this::newEngine),
        new AnnotatedClient(this::newEngine), new Official(), new Raw());
  }

  /**
   * The official {@code org.camunda.bpm:camunda-external-task-client} 7.24.0 with its defaults
   * (maxTasks 10, no long polling, exponential backoff 500 ms..60 s on empty fetches, lock 20 s,
   * handlers run one after another on the subscription thread). Its documented request interceptor
   * counts requests; each complete is taken off again, which leaves the fetches.
   */
  private final class Official implements Client {
    @Override
    public Kind kind() {
      return Kind.OFFICIAL;
    }

    @Override
    public String label() {
      return "camunda-external-task-client 7.24.0 (defaults)";
    }

    @Override
    public String fetchCounting() {
      return "the client's ClientRequestInterceptor, less one per complete";
    }

    @Override
    public Running open(String topic, Variant variant, Probe probe) {
      ExternalTaskClient client = ExternalTaskClient.create()
          .baseUrl(restUrl())
          .addInterceptor(context -> probe.fetched())
          .build();
      client.subscribe(topic)
          .handler((task, service) -> {
            probe.started(task.getProcessInstanceId());
            try {
              variant.work();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
            try {
              service.complete(task);
              probe.completed();
            } catch (RuntimeException e) {
              probe.error();
            } finally {
              probe.notAFetch(); // the interceptor counted the complete request
            }
          })
          .open();
      return client::stop;
    }
  }

  /**
   * The raw limit: fetchAndLock of up to raw-batch tasks with a 20 s long poll, then every task run
   * and completed in parallel over the JDK HTTP client, then the next fetch.
   */
  private final class Raw implements Client {
    @Override
    public Kind kind() {
      return Kind.RAW;
    }

    @Override
    public String label() {
      return "raw loop (fetchAndLock " + settings.rawBatch() + ", long poll, parallel completes)";
    }

    @Override
    public String fetchCounting() {
      return "counted by the loop when sent";
    }

    @Override
    public Running open(String topic, Variant variant, Probe probe) {
      Http http = new Http();
      String base = restUrl();
      String workerId = "bench-raw";
      return new BatchLoop("camunda-raw", settings.rawBatch(), false, Duration.ZERO, variant, probe) {
        @Override
        List<RawJob> fetch(int max) throws Exception {
          Map<String, Object> body = Map.of(
              "workerId", workerId,
              "maxTasks", max,
              "usePriority", false,
              "asyncResponseTimeout", 20_000,
              "topics", List.of(Map.of("topicName", topic, "lockDuration", 30_000)));
          JsonNode answer = http.post(base + "/external-task/fetchAndLock", body, Duration.ofSeconds(40));
          List<RawJob> jobs = new ArrayList<>();
          for (JsonNode task : answer) {
            jobs.add(new RawJob(task.get("id").asText(), task.get("processInstanceId").asText(), task));
          }
          return jobs;
        }

        @Override
        void complete(RawJob job) throws Exception {
          http.post(base + "/external-task/" + job.id() + "/complete", Map.of("workerId", workerId),
              Duration.ofSeconds(30));
        }
      }.start();
    }
  }
}
