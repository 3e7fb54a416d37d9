package io.polyworker.reliability.support;

import io.polyworker.DeploymentResource;
import io.polyworker.engine.Engine;
import io.polyworker.spi.Capability;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.common.TestProcess;
import io.polyworker.testkit.engines.FaultProxy;
import io.polyworker.testkit.engines.LocalEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * One real engine as the reliability tests see it: how to connect a Polyworker engine client to it
 * (directly or through a proxy on another port), and how to ask its own records what happened to
 * each instance. One subclass per engine; the tests are written once against this.
 */
public abstract class EngineUnderTest {
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /** Engine id: {@code camunda}, {@code flowable}, {@code zeebe}. */
  public abstract String id();

  public abstract Dialect dialect();

  /** The local engine (started). */
  public abstract LocalEngine local();

  /** The engine's own port on 127.0.0.1. */
  public final int port() {
    return local().port();
  }

  /** A client talking to 127.0.0.1:{@code port}: the engine itself or a proxy in front of it. */
  public Engine connect(int port) {
    return connect(port, Duration.ofSeconds(10));
  }

  /** As {@link #connect(int)}, with this request timeout (a long poll adds its own time to it). */
  public abstract Engine connect(int port, Duration requestTimeout);

  /** Whether the engine client has this capability. */
  public boolean has(Capability capability) {
    try (Engine e = connect()) {
      return e.capabilities().has(capability);
    }
  }

  /** Whether the engine speaks HTTP/1.1, so that the proxy can act on single requests by their URL. */
  public abstract boolean speaksHttp();

  /** A client talking to the engine directly. */
  public final Engine connect() {
    return connect(port());
  }

  /** Whether {@link LocalEngine#kill()} and a new start keep deployments and instances. */
  public abstract boolean keepsDataAcrossRestart();

  /** What the engine recorded for every instance of {@code processKey}, by instance id. */
  public abstract Map<String, Outcome> ledger(String processKey);

  /**
   * The retries a new job carries in this engine, or null when it has none until a first failure
   * (Camunda); a job whose handler always throws then runs this many times (or once with
   * {@code defaultRetries(1)}).
   */
  public abstract Integer initialRetries();

  /** Cheap progress counters for polling: instances of {@code processKey} completed, and jobs of {@code topic} out of retries. */
  public abstract Progress progress(String processKey, String topic);

  /** How often tests may ask {@link #progress}: it is not free everywhere. */
  public Duration progressPollInterval() {
    return Duration.ofMillis(500);
  }

  /** See {@link #progress}. */
  public record Progress(int completedInstances, int failedJobs) {}

  /** State of an instance whose job completion the engine accepted but has not carried out yet (Flowable's async continuation). */
  public static final String COMPLETING = "COMPLETING";

  /** Settings for {@code Engines.fromConfig} that reach the engine at 127.0.0.1:{@code port} (for child JVMs). */
  public abstract Map<String, String> config(int port);

  /** Cancels (deletes) a running instance through the engine's own API. */
  public abstract void cancel(String instanceId);

  /** Jobs of {@code processKey} on {@code topic} still open in the engine (not completed, not deleted, not dead). */
  public abstract int openJobs(String processKey, String topic);

  /**
   * Takes the engine away from workers that talk to it through {@code proxy}: engines that keep
   * their data are killed like a crash ({@code kill -9}); the others stay up while the proxy cuts
   * every connection and refuses new ones, which is what a worker sees of a network partition.
   */
  public void beginOutage(FaultProxy proxy) {
    if (keepsDataAcrossRestart()) {
      local().kill();
    } else {
      proxy.refuseConnections(FaultProxy.Refusal.CLOSE_PORT);
      proxy.cutConnections();
    }
  }

  /** Ends {@link #beginOutage}: starts the engine again on the same port (blocking until ready) or heals the proxy. */
  public void endOutage(FaultProxy proxy) {
    if (keepsDataAcrossRestart()) {
      local().start();
    } else {
      proxy.heal();
    }
  }

  /** How {@link #beginOutage} takes the engine away, for reports. */
  public String outageKind() {
    return keepsDataAcrossRestart() ? "kill -9 and restart on the same port and data" : "proxy cuts and refuses connections";
  }

  /** A fresh id that is a valid XML name. */
  public static String unique(String prefix) {
    return prefix + "_" + SEQUENCE.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  }

  /** A process with one external task on {@code topic}, deployed. */
  public TestProcess deploySingleTask(Engine engine, String processKey, String topic) {
    TestProcess p = TestProcess.named(processKey).task("task", topic);
    engine.processClient().deploy(DeploymentResource.of(p.resourceName(), p.toXml(dialect())));
    return p;
  }

  /** Starts {@code n} instances from {@code threads} threads; returns their ids in start order of i. */
  public List<String> startInstances(Engine engine, String processKey, int n,
      IntFunction<Map<String, Object>> variables, int threads) {
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "starter");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<String>> futures = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int index = i;
        futures.add(pool.submit(() -> engine.processClient().startProcess(processKey, variables.apply(index))));
      }
      List<String> ids = new ArrayList<>(n);
      for (Future<String> f : futures) {
        ids.add(f.get(120, TimeUnit.SECONDS));
      }
      return Collections.unmodifiableList(ids);
    } catch (Exception e) {
      throw new IllegalStateException("starting instances of " + processKey + " failed: " + e, e);
    } finally {
      pool.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return id();
  }
}
