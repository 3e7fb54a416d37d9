package io.polyworker.benchmarks;

import io.polyworker.DeploymentResource;
import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.testkit.engines.LocalEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One engine under test: the real local engine in a child JVM, how to deploy the one-task process
 * and start instances of it, and the clients to compare on it. Deployments and instance starts go
 * through Polyworker's {@code ProcessClient} (not measured: instances are created before a run's
 * clock starts).
 */
abstract class Target implements AutoCloseable {
  /** Instances per spawner call. */
  static final int SPAWN_CHUNK = 250;

  private final LocalEngine local;
  private Engine admin;
  private volatile boolean spawnerAvailable = true;

  Target(LocalEngine local) {
    this.local = local;
  }

  static Target create(String id, Settings settings) {
    return switch (id) {
      case "camunda" -> new CamundaTarget(settings);
      case "flowable" -> new FlowableTarget(settings);
      case "zeebe" -> new ZeebeTarget(settings);
      default -> throw new IllegalArgumentException("unknown engine " + id);
    };
  }

  abstract String id();

  /** The engine and version, for tables. */
  abstract String name();

  /** Polyworker's configuration for this engine (valid once started). */
  abstract Map<String, String> config();

  /** The BPMN of a process {@code key} with one external task on {@code topic}. */
  abstract String bpmn(String key, String topic);

  /**
   * The clients to compare, in the order Polyworker, observed Polyworker, Polyworker through the Spring
   * Boot starter, official (or reference), raw.
   */
  abstract List<Client> clients();

  LocalEngine local() {
    return local;
  }

  /** A new Polyworker engine client for this engine. */
  Engine newEngine() {
    return Engines.fromConfig(EngineConfig.fromMap(config()));
  }

  /** Starts the local engine (blocks until it answers). */
  void start() {
    local.start();
    admin = newEngine();
    probeSpawner();
  }

  /**
   * Whether the engine is restarted (fresh state, warmed up again) before every repetition after
   * the first: for engines whose cost per job grows with the history they keep in memory.
   */
  boolean restartEachRepetition() {
    return false;
  }

  /** Kills and starts the engine again on the same port. */
  void restart() {
    local.kill();
    local.start();
  }

  /** Tries the spawner once on a throw-away process; without success, instances are started one by one. */
  private void probeSpawner() {
    if (spawnerBpmn("probe") == null) {
      spawnerAvailable = false;
      return;
    }
    try {
      deploy("bench-spawner-probe", "bench-spawner-probe");
      admin.processClient().startProcess(spawnerKey("bench-spawner-probe"), Map.of("count", 2));
    } catch (RuntimeException e) {
      spawnerAvailable = false;
      System.out.println("   no spawner process on this engine, instances are started one by one: " + e);
    }
  }

  /** How instances are prepared, for the report. */
  String preparation() {
    return spawnerAvailable
        ? "spawner process (one engine transaction starts " + SPAWN_CHUNK + " instances)"
        : "one start request per instance";
  }

  /**
   * The BPMN of a helper process that starts {@code count} instances of process {@code key} in one
   * transaction (a sequential multi-instance task calling the engine's runtime service from an
   * expression), or null where the engine cannot. The instances it starts are ordinary instances of
   * {@code key}; it only saves a REST round trip and a transaction per instance while preparing a run.
   */
  String spawnerBpmn(String key) {
    return null;
  }

  static String spawnerKey(String key) {
    return "spawn-" + key;
  }

  /** Deploys the process (and its spawner, if the engine has one) in one deployment. */
  void deploy(String key, String topic) {
    String spawner = spawnerAvailable ? spawnerBpmn(key) : null;
    if (spawner == null) {
      admin.processClient().deploy(DeploymentResource.of(key + ".bpmn", bpmn(key, topic)));
    } else {
      admin.processClient().deploy(DeploymentResource.of(key + ".bpmn", bpmn(key, topic)),
          DeploymentResource.of(spawnerKey(key) + ".bpmn", spawner));
    }
  }

  /** Starts one instance; returns its id. */
  String startInstance(String key) {
    return admin.processClient().startProcess(key, Map.of());
  }

  /**
   * Starts {@code count} instances; returns how many per second. Uses the spawner in chunks of
   * {@value #SPAWN_CHUNK} from {@code threads} threads where the engine has one (falling back to
   * single starts for good if it fails), else single starts from {@code threads} threads.
   *
   * @throws IllegalStateException if instances could not be created within the timeout
   */
  double startInstances(String key, int count, int threads, Duration timeout) throws InterruptedException {
    long started = System.nanoTime();
    if (spawnerAvailable && spawnerBpmn(key) != null) {
      try {
        int chunks = (count + SPAWN_CHUNK - 1) / SPAWN_CHUNK;
        parallel(chunks, Math.min(threads, 4), timeout, i -> {
          int size = Math.min(SPAWN_CHUNK, count - i * SPAWN_CHUNK);
          admin.processClient().startProcess(spawnerKey(key), Map.of("count", size));
        });
        return count / ((System.nanoTime() - started) / 1e9);
      } catch (IllegalStateException e) {
        // Some chunks may have started: this run's count is unknown, so it fails; later runs start one by one.
        spawnerAvailable = false;
        throw e;
      }
    }
    parallel(count, threads, timeout, i -> startInstance(key));
    return count / ((System.nanoTime() - started) / 1e9);
  }

  /** Runs {@code task(0..count-1)} on {@code threads} threads; each task is tried up to three times. */
  static void parallel(int count, int threads, Duration timeout, IntTask task) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    long deadline = System.nanoTime() + timeout.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < count && System.nanoTime() < deadline) {
            for (int attempt = 1; ; attempt++) {
              try {
                task.run(i);
                break;
              } catch (RuntimeException e) {
                if (attempt >= 3 || failures.incrementAndGet() > 50) {
                  throw e;
                }
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        try {
          f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
          throw new IllegalStateException("preparing " + count + " items failed or timed out", e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    if (next.get() < count) {
      throw new IllegalStateException("prepared only " + next.get() + " of " + count + " items in " + timeout);
    }
  }

  /** One indexed preparation step. */
  interface IntTask {
    void run(int index);
  }

  /** Kills the engine (its data is temporary, and a graceful stop of a busy engine can take 20 s), then cleans up. */
  @Override
  public void close() {
    if (admin != null) {
      admin.close();
    }
    try {
      local.kill();
    } catch (RuntimeException e) {
      // not running: close() below copes
    }
    local.close();
  }
}
