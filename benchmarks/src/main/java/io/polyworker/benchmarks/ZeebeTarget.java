package io.polyworker.benchmarks;

import io.camunda.zeebe.client.ZeebeClient;
import io.camunda.zeebe.client.api.response.ActivatedJob;
import io.camunda.zeebe.client.api.worker.JobWorker;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.polyworker.engine.EngineConfig;
import io.polyworker.testkit.engines.LocalZeebe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Zeebe 8.8 (the in-memory engine of zeebe-process-test, in a Java 21+ child JVM) with the official
 * {@code zeebe-client-java} 8.8.21 JobWorker and a raw activate/complete loop on the same client.
 */
final class ZeebeTarget extends Target {
  private final Settings settings;
  private ZeebeClient creator;

  ZeebeTarget(Settings settings) {
    super(LocalZeebe.create());
    this.settings = settings;
  }

  private LocalZeebe zeebe() {
    return (LocalZeebe) local();
  }

  @Override
  String id() {
    return "zeebe";
  }

  @Override
  String name() {
    return "Zeebe 8.8.21 (in-memory engine)";
  }

  @Override
  Map<String, String> config() {
    return Map.of(EngineConfig.ENGINE, "zeebe", EngineConfig.URL, zeebe().grpcUri().toString(),
        "polyworker.zeebe.plaintext", "true");
  }

  @Override
  String bpmn(String key, String topic) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                     xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                     id="d_%1$s" targetNamespace="http://polyworker.io/benchmarks">
          <process id="%1$s" isExecutable="true">
            <startEvent id="start"/>
            <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
            <serviceTask id="work">
              <extensionElements><zeebe:taskDefinition type="%2$s"/></extensionElements>
            </serviceTask>
            <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
            <endEvent id="end"/>
          </process>
        </definitions>
        """.formatted(key, topic);
  }

  /**
   * Creates instances over gRPC with up to 64 create commands in flight (the in-memory engine has
   * no way to start many in one command).
   */
  @Override
  double startInstances(String key, int count, int threads, Duration timeout) throws InterruptedException {
    ZeebeClient client = creator();
    long started = System.nanoTime();
    Semaphore window = new Semaphore(64);
    CountDownLatch all = new CountDownLatch(count);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = 0; i < count && failure.get() == null; i++) {
      if (!window.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("creating instances of " + key + " timed out");
      }
      client.newCreateInstanceCommand().bpmnProcessId(key).latestVersion().send()
          .whenComplete((created, error) -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            }
            window.release();
            all.countDown();
          });
    }
    if (failure.get() != null) {
      throw new IllegalStateException("creating instances of " + key + " failed", failure.get());
    }
    if (!all.await(timeout.toMillis(), TimeUnit.MILLISECONDS) || failure.get() != null) {
      throw new IllegalStateException("creating instances of " + key + " failed or timed out", failure.get());
    }
    return count / ((System.nanoTime() - started) / 1e9);
  }

  /**
   * The in-memory engine keeps every record it writes in memory, and its cost per job grew two- to
   * threefold over one default run (engine CPU per job, measured): a restart per repetition keeps
   * the repetitions comparable.
   */
  @Override
  boolean restartEachRepetition() {
    return true;
  }

  @Override
  String preparation() {
    return "gRPC CreateProcessInstance, 64 in flight";
  }

  private synchronized ZeebeClient creator() {
    if (creator == null) {
      creator = newClient(new Probe(0, false));
    }
    return creator;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (creator != null) {
        creator.close();
      }
    }
    super.close();
  }

  @Override
  List<Client> clients() {
    return List.of(new PolyworkerClient(this::newEngine), new PolyworkerClient(this::newEngine, true),
        PolyworkerClient.adaptive(this::newEngine),
        new AnnotatedClient(this::newEngine), new Official(), new Raw());
  }

  /**
   * A client as the official documentation builds one for a plaintext gateway without REST: the
   * address, plaintext, gRPC. Everything else stays at its default. The interceptor counts
   * ActivateJobs calls.
   */
  private ZeebeClient newClient(Probe probe) {
    return ZeebeClient.newClientBuilder()
        .grpcAddress(zeebe().grpcUri())
        .usePlaintext()
        .preferRestOverGrpc(false)
        .withInterceptors(new ActivateCounter(probe))
        .build();
  }

  /** Counts ActivateJobs calls (the job stream is one long call and is not a fetch). */
  private static final class ActivateCounter implements ClientInterceptor {
    private final Probe probe;

    ActivateCounter(Probe probe) {
      this.probe = probe;
    }

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
      if ("ActivateJobs".equals(method.getBareMethodName())) {
        probe.fetched();
      }
      return next.newCall(method, options);
    }
  }

  /**
   * The official JobWorker with its defaults (32 jobs active, one handler thread, 100 ms poll
   * interval, streaming as the client's default says), completing as its documentation shows:
   * {@code client.newCompleteCommand(job).send().join()} in the handler.
   */
  private final class Official implements Client {
    @Override
    public Kind kind() {
      return Kind.OFFICIAL;
    }

    @Override
    public String label() {
      return "zeebe-client-java 8.8.21 JobWorker (defaults)";
    }

    @Override
    public String fetchCounting() {
      return "gRPC ClientInterceptor on ActivateJobs";
    }

    @Override
    public Running open(String topic, Variant variant, Probe probe) {
      ZeebeClient client = newClient(probe);
      JobWorker worker = client.newWorker()
          .jobType(topic)
          .handler((jobClient, job) -> {
            probe.started(Long.toString(job.getProcessInstanceKey()));
            try {
              variant.work();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt(); // closed while sleeping: leave the job to time out
              return;
            }
            try {
              jobClient.newCompleteCommand(job.getKey()).send().join();
              probe.completed();
            } catch (RuntimeException e) {
              if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
                return; // closed while awaiting the answer
              }
              probe.error();
              throw e;
            }
          })
          .open();
      return () -> {
        try {
          worker.close();
        } finally {
          client.close();
        }
      };
    }
  }

  /** The raw limit: activate up to raw-batch jobs, run and complete them in parallel, 100 ms pause when empty. */
  private final class Raw implements Client {
    @Override
    public Kind kind() {
      return Kind.RAW;
    }

    @Override
    public String label() {
      return "raw loop (activateJobs " + settings.rawBatch() + ", parallel completes, 100 ms idle pause)";
    }

    @Override
    public String fetchCounting() {
      return "counted by the loop when sent";
    }

    @Override
    public Running open(String topic, Variant variant, Probe probe) {
      ZeebeClient client = newClient(new Probe(0, false));
      BatchLoop loop = new BatchLoop("zeebe-raw", settings.rawBatch(), false, Duration.ofMillis(100), variant, probe) {
        @Override
        List<RawJob> fetch(int max) {
          List<ActivatedJob> activated = client.newActivateJobsCommand()
              .jobType(topic)
              .maxJobsToActivate(max)
              .timeout(Duration.ofSeconds(30))
              .send()
              .join()
              .getJobs();
          List<RawJob> jobs = new ArrayList<>(activated.size());
          for (ActivatedJob job : activated) {
            jobs.add(new RawJob(Long.toString(job.getKey()), Long.toString(job.getProcessInstanceKey()), job));
          }
          return jobs;
        }

        @Override
        void complete(RawJob job) {
          client.newCompleteCommand(Long.parseLong(job.id())).send().join();
        }
      }.start();
      return () -> {
        try {
          loop.close();
        } finally {
          client.close();
        }
      };
    }
  }
}
