package io.polyworker.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.DeploymentResource;
import io.polyworker.ProcessClient;
import io.polyworker.SubscriptionOptions;
import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.engine.MigratingProcessClient;
import io.polyworker.testkit.engines.CamundaHistory;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.testkit.engines.LocalZeebe;
import io.polyworker.testkit.engines.ZeebeRecords;
import io.polyworker.units.HttpCallUnit;
import io.polyworker.worker.JobWorker;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The migration demo: a local Camunda 7 and a local Zeebe run side by side, as during a move from
 * Camunda 7 to Camunda 8. Orders started on Camunda 7 before "the switch" keep running there; after
 * it, new orders start through a {@link MigratingProcessClient} and land on Zeebe. One
 * {@link JobWorker} with the order demo's handlers serves both engines. The summary counts, per
 * engine and from that engine's own records, how the orders ended and how many jobs were completed.
 * Exit code 0 when every order ended as expected (shipped, or rejected for lack of stock) on the
 * engine it was started on, 1 otherwise.
 *
 * <p>Arguments: {@code --instances=N} (default 50): N orders in all, the first half before the switch.
 */
public final class MigrationDemo {
  private static final Duration CARRIER_LATENCY = Duration.ofMillis(1000);
  private static final Duration SHORT_LOCK = Duration.ofSeconds(1);
  /** Short, so that closing the worker does not wait long for Camunda's open long polls. */
  private static final Duration LONG_POLL = Duration.ofSeconds(2);
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private MigrationDemo() {}

  /** How the orders ended, per engine, from the engines' records. */
  record Summary(EngineCount camunda, EngineCount zeebe) {
    boolean ok() {
      return camunda.ok() && zeebe.ok();
    }
  }

  /**
   * One engine's part: the orders started there and which should be rejected, how many ended
   * shipped or rejected there, and the jobs completed there by the demo's worker.
   */
  record EngineCount(String engine, int started, int expectedRejections, int shipped, int rejected,
      int completedJobs) {
    boolean ok() {
      return shipped == started - expectedRejections && rejected == expectedRejections;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    int instances = Integer.parseInt(options.getOrDefault("instances", "50"));
    long started = System.nanoTime();
    System.out.println("Starting a local Camunda 7 and a local Zeebe...");
    try (LocalCamunda camunda = LocalCamunda.create(); LocalZeebe zeebe = LocalZeebe.create()) {
      camunda.start();
      zeebe.start();
      System.out.printf("Engines up in %.1f s%n", seconds(started));
      System.exit(run(camunda, zeebe, instances).ok() ? 0 : 1);
    }
  }

  /** The demo on running local engines (the examples' tests pass the shared ones). */
  static Summary run(LocalCamunda camundaServer, LocalZeebe zeebeServer, int instances) throws Exception {
    if (instances < 2) {
      throw new IllegalArgumentException("instances < 2: " + instances);
    }
    try (Engine camunda = Engines.fromConfig(camundaConfig(camundaServer));
         Engine zeebe = Engines.fromConfig(zeebeConfig(zeebeServer));
         Carrier carrier = Carrier.start(CARRIER_LATENCY)) {
      return drive(camunda, camundaServer.history(), zeebe, zeebeServer.recordLog(), instances, carrier);
    }
  }

  private static Summary drive(Engine camunda, CamundaHistory history, Engine zeebe, ZeebeRecords records,
      int instances, Carrier carrier) throws InterruptedException {
    String workerId = "migration-demo-" + UUID.randomUUID().toString().substring(0, 8);
    MigratingProcessClient client = MigratingProcessClient.of(camunda, zeebe);
    // The models differ per engine: each engine gets its own, the old one through its own client.
    String camundaDefinition = client.from().processClient()
        .deploy(DeploymentResource.ofClasspath("processes/order.camunda.bpmn")).get(0).id();
    client.deploy(DeploymentResource.ofClasspath("processes/order.zeebe.bpmn"));

    SubscriptionOptions steps = SubscriptionOptions.builder().longPollTimeout(LONG_POLL).build();
    // Camunda 7 and Zeebe both extend locks, so the slow step keeps a short lock alive on either.
    SubscriptionOptions ship = steps.toBuilder().lockDuration(SHORT_LOCK).build();
    long runStarted = System.nanoTime();
    Orders camundaOrders = new Orders("camunda");
    Orders zeebeOrders = new Orders("zeebe");
    try (JobWorker worker = JobWorker.builder(List.of(camunda, zeebe))
        .workerId(workerId)
        .subscribe("validate-order", OrderHandlers.validateOrder(), steps)
        .subscribe("reserve-stock", OrderHandlers.reserveStock(), steps)
        .subscribe("ship-order", HttpCallUnit.builder().allow(carrier.url() + "/shipments/").build(), ship)
        .build()
        .start()) {
      int before = instances / 2;
      for (int i = 1; i <= before; i++) {
        camundaOrders.start(camunda.processClient(), "A-" + i, i, carrier);
      }
      System.out.printf("Before the switch: %d orders started on camunda (%d will be out of stock)%n",
          before, camundaOrders.expectedRejections.size());
      System.out.println("The switch: new orders start through " + client);
      for (int i = 1; i <= instances - before; i++) {
        zeebeOrders.start(client, "B-" + i, i, carrier);
      }
      System.out.printf("After the switch: %d orders started on zeebe (%d will be out of stock)%n",
          instances - before, zeebeOrders.expectedRejections.size());

      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      ZeebeEnds zeebeEnds = new ZeebeEnds(records, zeebeOrders.ids);
      int lastPrinted = -1;
      while (System.nanoTime() < deadline) {
        Map<String, String> camundaEnded = camundaEnds(history, camundaDefinition, camundaOrders.ids);
        Map<String, String> zeebeEnded = zeebeEnds.read();
        int ended = camundaEnded.size() + zeebeEnded.size();
        if (ended != lastPrinted) {
          System.out.printf("  %3d/%d orders ended (camunda %d/%d, zeebe %d/%d)%n", ended, instances,
              camundaEnded.size(), camundaOrders.ids.size(), zeebeEnded.size(), zeebeOrders.ids.size());
          lastPrinted = ended;
        }
        if (ended == instances) {
          break;
        }
        Thread.sleep(500);
      }
      System.out.println("Closing the worker (it lets Camunda's long polls in flight finish)...");
    }
    Summary summary = new Summary(
        camundaOrders.count(camundaEnds(history, camundaDefinition, camundaOrders.ids),
            history.count("/history/external-task-log/count?successLog=true&workerId="
                + CamundaHistory.encode(workerId))),
        zeebeOrders.count(new ZeebeEnds(records, zeebeOrders.ids).read(),
            zeebeCompletedJobs(records, zeebeOrders.ids)));
    System.out.println();
    System.out.println("Summary (one worker, two engines; counted from each engine's records)");
    for (EngineCount c : List.of(summary.camunda(), summary.zeebe())) {
      System.out.printf("  %-8s orders %3d: shipped %3d, rejected %3d (expected %d, %d); jobs completed %d%n",
          c.engine(), c.started(), c.shipped(), c.rejected(), c.started() - c.expectedRejections(),
          c.expectedRejections(), c.completedJobs());
    }
    System.out.printf("  wall time %.1f s for %d orders (from the worker's start to this summary)%n",
        seconds(runStarted), instances);
    System.out.println(summary.ok()
        ? "RESULT: every order ended as expected on the engine it was started on"
        : "RESULT: some orders did not end as expected");
    return summary;
  }

  /** The orders started on one engine: instance id to order id, and the ones that must be rejected. */
  private static final class Orders {
    final String engine;
    final Map<String, String> ids = new ConcurrentHashMap<>();
    final Set<String> expectedRejections = ConcurrentHashMap.newKeySet();

    Orders(String engine) {
      this.engine = engine;
    }

    void start(ProcessClient processes, String orderId, int i, Carrier carrier) {
      Map<String, Object> order = new LinkedHashMap<>();
      order.put("orderId", orderId);
      order.put("item", i % 2 == 0 ? "teapot" : "kettle");
      order.put("quantity", i % 5 == 0 ? 25 : 1 + i % 4);
      order.put("unitPrice", 19.5);
      String instance = processes.startProcess("order", Map.of("order", order,
          "http_method", "PUT", "http_url", carrier.url() + "/shipments/" + orderId));
      ids.put(instance, orderId);
      if (i % 5 == 0) {
        expectedRejections.add(instance);
      }
    }

    /** Counts the ends ({@code shipped} / {@code rejected} end event per instance) of this engine's orders. */
    EngineCount count(Map<String, String> ends, int completedJobs) {
      int shipped = 0;
      int rejected = 0;
      for (Map.Entry<String, String> end : ends.entrySet()) {
        boolean shouldReject = expectedRejections.contains(end.getKey());
        if (end.getValue().equals("shipped") && !shouldReject) {
          shipped++;
        } else if (end.getValue().equals("rejected") && shouldReject) {
          rejected++;
        }
      }
      return new EngineCount(engine, ids.size(), expectedRejections.size(), shipped, rejected, completedJobs);
    }
  }

  /**
   * Camunda's ended instances among {@code ids}, each with the end event it ended at: the finished
   * end events of this run's process definition, from history.
   */
  private static Map<String, String> camundaEnds(CamundaHistory history, String definitionId,
      Map<String, String> ids) {
    Map<String, String> ended = new HashMap<>();
    for (JsonNode end : history.all("/history/activity-instance?activityType=noneEndEvent&finished=true"
        + "&processDefinitionId=" + CamundaHistory.encode(definitionId)
        + "&sortBy=activityInstanceId&sortOrder=asc")) {
      String instance = end.path("processInstanceId").asText();
      if (ids.containsKey(instance)) {
        ended.put(instance, end.path("activityId").asText());
      }
    }
    return ended;
  }

  /**
   * Zeebe's ended instances among {@code ids}, each with its end event, read from the record log
   * incrementally (Zeebe has no query API of its own).
   */
  private static final class ZeebeEnds {
    private final ZeebeRecords records;
    private final Map<String, String> ids;
    private final Map<String, String> ended = new HashMap<>();
    private int read;

    ZeebeEnds(ZeebeRecords records, Map<String, String> ids) {
      this.records = records;
      this.ids = ids;
    }

    Map<String, String> read() {
      ZeebeRecords.Batch batch = records.readSince(read, line -> line.contains("\"ELEMENT_COMPLETED\"")
          && line.contains("\"END_EVENT\""));
      read += batch.lines();
      for (JsonNode r : batch.kept()) {
        String instance = r.path("value").path("processInstanceKey").asText();
        if ("EVENT".equals(r.path("recordType").asText()) && ids.containsKey(instance)) {
          ended.put(instance, r.path("value").path("elementId").asText());
        }
      }
      return Map.copyOf(ended);
    }
  }

  /** The jobs of these instances that Zeebe recorded as completed. */
  private static int zeebeCompletedJobs(ZeebeRecords records, Map<String, String> ids) {
    int completed = 0;
    for (JsonNode r : records.readSince(0, line -> line.contains("\"valueType\":\"JOB\"")
        && line.contains("\"COMPLETED\"")).kept()) {
      if ("EVENT".equals(r.path("recordType").asText()) && "COMPLETED".equals(r.path("intent").asText())
          && ids.containsKey(r.path("value").path("processInstanceKey").asText())) {
        completed++;
      }
    }
    return completed;
  }

  private static EngineConfig camundaConfig(LocalCamunda camunda) {
    return EngineConfig.fromMap(Map.of(EngineConfig.ENGINE, "camunda", EngineConfig.URL, camunda.restUrl()));
  }

  private static EngineConfig zeebeConfig(LocalZeebe zeebe) {
    return EngineConfig.fromMap(Map.of(EngineConfig.ENGINE, "zeebe", EngineConfig.URL,
        zeebe.grpcUri().toString(), "polyworker.zeebe.plaintext", "true"));
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'; use --instances=N");
      }
      String name = arg.substring(2, arg.indexOf('='));
      String value = arg.substring(arg.indexOf('=') + 1);
      if (name.equals("engine")) {
        // exec:exec passes the order demo's --engine too; this demo always runs Camunda 7 -> Zeebe.
        if (!value.isBlank()) {
          throw new IllegalArgumentException("the migration demo runs Camunda 7 and Zeebe together;"
              + " it takes no --engine (got '" + value + "')");
        }
        continue;
      }
      options.put(name, value);
    }
    return options;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
