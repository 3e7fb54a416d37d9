package io.polyworker.examples;

import io.polyworker.DeploymentResource;
import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerEvent;
import io.polyworker.spi.Capability;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.testkit.engines.LocalEngine;
import io.polyworker.testkit.engines.LocalFlowable;
import io.polyworker.testkit.engines.LocalZeebe;
import io.polyworker.units.HttpCallUnit;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo: starts a local engine, deploys the order process, starts orders, runs the three
 * steps until every order has ended, and prints a summary. Two steps are handlers of
 * {@link OrderHandlers}; ship-order is the ready-made HTTP work unit calling a local {@link Carrier}. Exit code 0 when every order ended
 * as expected (shipped, or rejected for lack of stock), 1 otherwise.
 *
 * <p>Arguments: {@code --engine=camunda|flowable|zeebe} (default: {@code POLYWORKER_ENGINE}, else
 * camunda), {@code --instances=N} (default 50).
 */
public final class OrderDemo {
  private static final Duration CARRIER_LATENCY = Duration.ofMillis(2500);
  private static final Duration SHORT_LOCK = Duration.ofSeconds(1);
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private OrderDemo() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    String engineId = options.getOrDefault("engine", "");
    if (engineId.isBlank()) {
      String env = System.getenv("POLYWORKER_ENGINE");
      engineId = env == null || env.isBlank() ? "camunda" : env;
    }
    engineId = engineId.toLowerCase(Locale.ROOT);
    int instances = Integer.parseInt(options.getOrDefault("instances", "50"));
    System.exit(run(engineId, instances) ? 0 : 1);
  }

  static boolean run(String engineId, int instances) throws Exception {
    long started = System.nanoTime();
    System.out.printf("Starting a local %s engine...%n", engineId);
    try (LocalEngine local = localEngine(engineId)) {
      local.start();
      System.out.printf("Engine up in %.1f s%n", seconds(started));
      try (Engine engine = Engines.fromConfig(config(engineId, local))) {
        return drive(engine, engineId, instances, started);
      }
    }
  }

  /** The demo on an engine the caller started (the examples' tests use the shared local engines). */
  static boolean run(Engine engine, String engineId, int instances) throws Exception {
    return drive(engine, engineId, instances, System.nanoTime());
  }

  private static boolean drive(Engine engine, String engineId, int instances, long started)
      throws Exception {
    try (Carrier carrier = Carrier.start(CARRIER_LATENCY)) {
      return drive(engine, engineId, instances, started, carrier);
    }
  }

  private static boolean drive(Engine engine, String engineId, int instances, long started, Carrier carrier)
      throws InterruptedException {
    engine.processClient().deploy(DeploymentResource.ofClasspath("processes/order." + engineId + ".bpmn"));

    Set<String> expectedRejections = ConcurrentHashMap.newKeySet();
    long runStarted = System.nanoTime();
    for (int i = 1; i <= instances; i++) {
      Map<String, Object> order = new LinkedHashMap<>();
      order.put("orderId", "A-" + i);
      order.put("item", i % 2 == 0 ? "teapot" : "kettle");
      order.put("quantity", i % 5 == 0 ? 25 : 1 + i % 4);
      order.put("unitPrice", 19.5);
      if (i % 5 == 0) {
        expectedRejections.add("A-" + i);
      }
      // ship-order is the HTTP work unit: the process says what to call, the unit's allow-list what it may call.
      engine.processClient().startProcess("order", Map.of("order", order,
          "http_method", "PUT", "http_url", carrier.url() + "/shipments/A-" + i), "A-" + i);
    }
    System.out.printf("Started %d orders (%d will be out of stock)%n", instances, expectedRejections.size());

    Counts counts = new Counts();
    // The handlers never change per engine; the lock of the slow step does: where the engine can
    // extend locks the worker keeps a short lock alive, elsewhere the lock must cover the whole call.
    boolean canExtend = engine.capabilities().has(Capability.LOCK_EXTENSION);
    Duration shipLock = canExtend ? SHORT_LOCK : CARRIER_LATENCY.multipliedBy(4);
    if (!canExtend) {
      System.out.printf("Note: %s cannot extend locks (%s); ship-order uses a %d s lock instead%n",
          engineId, engine.capabilities().whyMissing(Capability.LOCK_EXTENSION), shipLock.toSeconds());
    }
    double wall;
    try (JobWorker worker = JobWorker.builder(engine)
        .workerId("order-demo")
        .listener(counts::on)
        .subscribe("validate-order", OrderHandlers.validateOrder())
        .subscribe("reserve-stock", OrderHandlers.reserveStock())
        .subscribe("ship-order", HttpCallUnit.builder().allow(carrier.url() + "/shipments/").build(),
            SubscriptionOptions.builder().lockDuration(shipLock).build())
        .build()
        .start()) {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      int lastPrinted = -1;
      long nextPrint = 0;
      while (counts.ended() < instances && System.nanoTime() < deadline) {
        int ended = counts.ended();
        if (ended != lastPrinted && System.nanoTime() >= nextPrint) {
          System.out.printf("  %3d/%d orders ended (%d shipped, %d rejected)%n", ended, instances,
              counts.shipped.get(), counts.rejected.get());
          lastPrinted = ended;
          nextPrint = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        }
        counts.awaitChange(Duration.ofMillis(250));
      }
      System.out.printf("  %3d/%d orders ended (%d shipped, %d rejected)%n", counts.ended(),
          instances, counts.shipped.get(), counts.rejected.get());
      wall = seconds(runStarted);
      System.out.println(engine.capabilities().has(Capability.LONG_POLLING)
          ? "Closing the worker (it lets a long poll in flight finish, so that the engine locks no"
              + " job for a worker that is gone)..."
          : "Closing the worker...");
    }
    // The verdict rests on what the engine confirmed: COMPLETED and BPMN_ERROR are counted only
    // once the engine accepted the result. Failed attempts and lost locks are shown, but a lost
    // lock whose job then ended correctly elsewhere is no wrong order.
    boolean ok = counts.shipped.get() == instances - expectedRejections.size()
        && counts.rejected.get() == expectedRejections.size();
    System.out.println();
    System.out.println("Summary (" + engineId + ")");
    System.out.printf("  completed jobs     %d%n", counts.completed.get());
    System.out.printf("  orders shipped     %d%n", counts.shipped.get());
    System.out.printf("  BPMN errors        %d (orders rejected for lack of stock)%n", counts.rejected.get());
    System.out.printf("  failed jobs        %d%n", counts.failed.get());
    System.out.printf("  lock extensions    %d%n", counts.extended.get());
    System.out.printf("  locks lost         %d%n", counts.lockLost.get());
    System.out.printf("  wall time          %.1f s for %d orders (%.1f s including engine start)%n",
        wall, instances, seconds(started));
    System.out.println(ok ? "RESULT: every order ended as expected"
        : "RESULT: some orders did not end as expected");
    return ok;
  }

  /**
   * A new, not yet started local engine of this id ({@code camunda}, {@code flowable} or {@code zeebe}),
   * with a temporary data directory; also used by the Spring Boot example.
   *
   * @throws IllegalArgumentException for another id
   */
  public static LocalEngine localEngine(String engineId) {
    switch (engineId) {
      case "camunda":
        return LocalCamunda.create();
      case "flowable":
        return LocalFlowable.create();
      case "zeebe":
        return LocalZeebe.create();
      default:
        throw new IllegalArgumentException("unknown engine '" + engineId + "': use camunda, flowable or zeebe");
    }
  }

  private static EngineConfig config(String engineId, LocalEngine local) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put(EngineConfig.ENGINE, engineId);
    if (local instanceof LocalCamunda camunda) {
      config.put(EngineConfig.URL, camunda.restUrl());
    } else if (local instanceof LocalFlowable flowable) {
      config.put(EngineConfig.URL, flowable.baseUrl());
    } else if (local instanceof LocalZeebe zeebe) {
      config.put(EngineConfig.URL, zeebe.grpcUri().toString());
      config.put("polyworker.zeebe.plaintext", "true");
    }
    return EngineConfig.fromMap(config);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("unexpected argument '" + arg
            + "'; use --engine=camunda|flowable|zeebe and --instances=N");
      }
      options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    return options;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /** Tallies worker events; an order ends when ship-order completes or reserve-stock raises its error. */
  private static final class Counts {
    final AtomicInteger completed = new AtomicInteger();
    final AtomicInteger shipped = new AtomicInteger();
    final AtomicInteger rejected = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger extended = new AtomicInteger();
    final AtomicInteger lockLost = new AtomicInteger();
    private final Object changed = new Object();

    void on(WorkerEvent e) {
      switch (e.type()) {
        case COMPLETED:
          completed.incrementAndGet();
          if (e.topic().equals("ship-order")) {
            shipped.incrementAndGet();
          }
          break;
        case BPMN_ERROR:
          rejected.incrementAndGet();
          break;
        case FAILED:
        case REPORT_FAILED:
          failed.incrementAndGet();
          break;
        case LOCK_EXTENDED:
          extended.incrementAndGet();
          break;
        case LOCK_LOST:
          lockLost.incrementAndGet();
          break;
        default:
          return;
      }
      synchronized (changed) {
        changed.notifyAll();
      }
    }

    int ended() {
      return shipped.get() + rejected.get();
    }

    void awaitChange(Duration max) throws InterruptedException {
      synchronized (changed) {
        changed.wait(max.toMillis());
      }
    }
  }
}
