package io.polyworker.testkit.memory;

import io.polyworker.AuthenticationException;
import io.polyworker.engine.Engine;
import io.polyworker.EngineUnavailableException;
import io.polyworker.ProcessClient;
import io.polyworker.spi.EngineCapabilities;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.EngineCompatibilityKit;
import io.polyworker.testkit.EngineFixture;
import io.polyworker.testkit.common.InstanceState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory engine passes the same contracts as the real engines. Long polling stays off here to
 * keep the kit fast; the runtime tests cover the long-polling engine. The job probe is on, as on
 * Flowable, so that the runtime contracts run with idle subscriptions sharing one probe.
 *
 * <p>The engine has no network and no credentials, so the fixture simulates what the
 * production-path contracts need on the job operations a worker calls: a second engine whose calls,
 * while it is cut off, wait for their request timeout and then fail as unreachable (a black hole),
 * and one that asks a token supplier before every call and fails it as an authentication failure
 * when the supplier throws, as the HTTP engines do.
 */
class InMemoryEngineCompatibilityTest extends EngineCompatibilityKit {
  @Override
  protected EngineFixture createFixture() {
    return new WithSimulatedNetwork(new InMemoryFixture(InMemoryEngine.builder().jobProbe(true).build()));
  }

  /** {@link InMemoryFixture} plus a simulated way to the engine that can be cut or need a token. */
  private static final class WithSimulatedNetwork implements EngineFixture {
    private final InMemoryFixture fixture;

    WithSimulatedNetwork(InMemoryFixture fixture) {
      this.fixture = fixture;
    }

    @Override
    public Engine engine() {
      return fixture.engine();
    }

    @Override
    public Dialect dialect() {
      return fixture.dialect();
    }

    @Override
    public InstanceState instanceState(String processInstanceId) {
      return fixture.instanceState(processInstanceId);
    }

    @Override
    public boolean hasIncident(String processInstanceId) {
      return fixture.hasIncident(processInstanceId);
    }

    @Override
    public Map<String, @Nullable Object> processVariables(String processInstanceId) {
      return fixture.processVariables(processInstanceId);
    }

    @Override
    public Map<String, @Nullable Object> localVariables(String processInstanceId, String elementId) {
      return fixture.localVariables(processInstanceId, elementId);
    }

    @Override
    public String unknownInstanceId() {
      return fixture.unknownInstanceId();
    }

    @Override
    public Optional<Severable> severableEngine(Duration requestTimeout) {
      Way way = new Way(requestTimeout, null);
      return Optional.of(Severable.of(new WayToEngine(fixture.engine(), way), () -> way.cut = true,
          () -> way.cut = false, () -> { }));
    }

    @Override
    public Optional<Engine> engineWithAuth(Supplier<String> tokens) {
      return Optional.of(new WayToEngine(fixture.engine(), new Way(Duration.ofSeconds(10), tokens)));
    }

    @Override
    public void close() {
      fixture.close();
    }
  }

  /** What stands between a worker and the engine: a switch that cuts it off, and an optional token. */
  private static final class Way {
    final Duration requestTimeout;
    final @Nullable Supplier<String> tokens;
    volatile boolean cut;

    Way(Duration requestTimeout, @Nullable Supplier<String> tokens) {
      this.requestTimeout = requestTimeout;
      this.tokens = tokens;
    }

    /** Before a call: waits out the request timeout and fails while cut; asks for the token. */
    void pass(String operation) {
      if (cut) {
        try {
          TimeUnit.NANOSECONDS.sleep(requestTimeout.toNanos()); // an answer that never comes
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw unreachable(operation);
      }
      authenticate(operation);
    }

    EngineUnavailableException unreachable(String operation) {
      return new EngineUnavailableException(InMemoryEngine.ID, operation, -1, null,
          "no answer within " + requestTimeout.toMillis() + " ms (the way to the engine is cut)", null);
    }

    void authenticate(String operation) {
      if (tokens == null) {
        return;
      }
      String token;
      try {
        token = tokens.get();
      } catch (RuntimeException e) {
        throw new AuthenticationException(InMemoryEngine.ID, operation, -1, null,
            "the bearer token supplier failed with " + e.getClass().getName(), e);
      }
      if (token == null || token.isBlank()) {
        throw new AuthenticationException(InMemoryEngine.ID, operation, -1, null,
            "the bearer token supplier returned no token", null);
      }
    }
  }

  /** A second engine on the same in-memory engine; closing it leaves the engine open. */
  private static final class WayToEngine implements Engine {
    private final Engine engine;
    private final EngineClient client;

    WayToEngine(Engine engine, Way way) {
      this.engine = engine;
      this.client = new WayClient(engine.jobClient(), way);
    }

    @Override
    public String id() {
      return engine.id();
    }

    @Override
    public ProcessClient processClient() {
      return engine.processClient();
    }

    @Override
    public EngineClient jobClient() {
      return client;
    }

    @Override
    public void close() {
      // the engine is the fixture's
    }
  }

  /** The job operations through a {@link Way}. */
  private static final class WayClient implements EngineClient {
    private final EngineClient engine;
    private final Way way;

    WayClient(EngineClient engine, Way way) {
      this.engine = engine;
      this.way = way;
    }

    @Override
    public String engineId() {
      return engine.engineId();
    }

    @Override
    public EngineCapabilities capabilities() {
      return engine.capabilities();
    }

    @Override
    public CompletableFuture<List<LockedJob>> fetchAndLock(FetchRequest request) {
      if (way.cut) {
        CompletableFuture<List<LockedJob>> never = new CompletableFuture<>();
        CompletableFuture.delayedExecutor(way.requestTimeout.toNanos(), TimeUnit.NANOSECONDS)
            .execute(() -> never.completeExceptionally(way.unreachable("fetchAndLock")));
        return never;
      }
      try {
        way.authenticate("fetchAndLock");
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
      return engine.fetchAndLock(request);
    }

    @Override
    public boolean jobsWaiting(List<FetchRequest> requests) {
      way.pass("jobsWaiting");
      return engine.jobsWaiting(requests);
    }

    @Override
    public void complete(LockedJob job, String workerId, Map<String, ? extends @Nullable Object> variables,
        Map<String, ? extends @Nullable Object> localVariables) {
      way.pass("complete");
      engine.complete(job, workerId, variables, localVariables);
    }

    @Override
    public void fail(LockedJob job, String workerId, String errorMessage, @Nullable String errorDetails,
        int retries, Duration retryBackoff) {
      way.pass("fail");
      engine.fail(job, workerId, errorMessage, errorDetails, retries, retryBackoff);
    }

    @Override
    public void bpmnError(LockedJob job, String workerId, String errorCode, @Nullable String errorMessage,
        Map<String, ? extends @Nullable Object> variables) {
      way.pass("bpmnError");
      engine.bpmnError(job, workerId, errorCode, errorMessage, variables);
    }

    @Override
    public Instant extendLock(LockedJob job, String workerId, Duration duration) {
      way.pass("extendLock");
      return engine.extendLock(job, workerId, duration);
    }

    @Override
    public void release(LockedJob job, String workerId) {
      way.pass("release");
      engine.release(job, workerId);
    }

    @Override
    public void close() {
      // the engine is the fixture's
    }
  }
}
