package io.polyworker.worker;

import io.polyworker.engine.Engine;
import io.polyworker.NotFoundException;
import io.polyworker.ProcessClient;
import io.polyworker.spi.Capability;
import io.polyworker.spi.EngineCapabilities;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.JobStream;
import io.polyworker.spi.LockedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A fake engine that pushes jobs the way Zeebe's job streaming does, for fast runtime tests of the
 * saturated path: {@link #create(int)} makes jobs; each new job goes to the open stream if there is
 * one (already locked for the worker), else it waits to be fetched. A release makes the job
 * available again and pushes it to an open stream at once, as Zeebe does with a failure without
 * backoff. Counts what the worker did per job.
 */
final class PushingEngine implements Engine {
  private final Object lock = new Object();
  private final Deque<String> available = new ArrayDeque<>();
  private final List<Consumer<LockedJob>> streams = new ArrayList<>();
  final Map<String, AtomicInteger> completions = new ConcurrentHashMap<>();
  final AtomicInteger releases = new AtomicInteger();
  /** How often each job was released. */
  final Map<String, AtomicInteger> releasesByJob = new ConcurrentHashMap<>();
  /** Jobs handed to a stream's sink. */
  final AtomicInteger delivered = new AtomicInteger();
  final AtomicInteger streamsOpened = new AtomicInteger();
  /** Fetches answered. */
  final AtomicInteger fetches = new AtomicInteger();
  /** What the streams say of themselves ({@link JobStream#isOpen()}), as a stream between reconnects would. */
  volatile boolean streamsConnected = true;
  private final AtomicInteger sequence = new AtomicInteger();
  /** While set, fetches stay in flight until {@link #releaseFetches()} (answering nothing). */
  private volatile boolean holdFetches;
  private final List<CompletableFuture<List<LockedJob>>> heldFetches = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Keeps every later fetch in flight, as a slow engine would, until {@link #releaseFetches()}. */
  void holdFetches() {
    holdFetches = true;
  }

  /** Answers the held fetches with no job and stops holding. */
  void releaseFetches() {
    holdFetches = false;
    heldFetches.forEach(f -> f.complete(List.of()));
  }

  int fetchesHeld() {
    return (int) heldFetches.stream().filter(f -> !f.isDone()).count();
  }
  private final Client client = new Client();

  /** Creates {@code n} jobs, pushing each to an open stream where there is one. */
  void create(int n) {
    for (int i = 0; i < n; i++) {
      offer("job-" + sequence.incrementAndGet());
    }
  }

  private void offer(String id) {
    Consumer<LockedJob> sink;
    synchronized (lock) {
      sink = streams.isEmpty() ? null : streams.get(0);
      if (sink == null) {
        available.add(id);
        return;
      }
    }
    delivered.incrementAndGet();
    sink.accept(locked(id));
  }

  int openStreams() {
    synchronized (lock) {
      return streams.size();
    }
  }

  int available() {
    synchronized (lock) {
      return available.size();
    }
  }

  /** Jobs completed, with how often each was. */
  int completedJobs() {
    return completions.size();
  }

  private static LockedJob locked(String id) {
    return LockedJob.builder().engine("pushing").id(id).topic("t").processInstanceId("pi-" + id)
        .elementId("task").retries(3).lockExpiresAt(Instant.now().plusSeconds(30)).nativeJob(id).build();
  }

  @Override public String id() { return "pushing"; }
  @Override public EngineCapabilities capabilities() { return client.capabilities(); }
  @Override public EngineClient jobClient() { return client; }
  @Override public ProcessClient processClient() { throw new UnsupportedOperationException(); }
  @Override public void close() {}

  private final class Client implements EngineClient {
    private final EngineCapabilities caps = EngineCapabilities.builder()
        .with(Capability.STREAMING, Capability.RELEASE)
        .without(Capability.LOCK_EXTENSION, "not needed here")
        .build();

    @Override public String engineId() { return "pushing"; }
    @Override public EngineCapabilities capabilities() { return caps; }

    @Override
    public CompletableFuture<List<LockedJob>> fetchAndLock(FetchRequest request) {
      fetches.incrementAndGet();
      if (holdFetches) {
        CompletableFuture<List<LockedJob>> held = new CompletableFuture<>();
        heldFetches.add(held);
        return held;
      }
      List<LockedJob> out = new ArrayList<>();
      synchronized (lock) {
        while (out.size() < request.maxJobs() && !available.isEmpty()) {
          out.add(locked(available.poll()));
        }
      }
      return CompletableFuture.completedFuture(out);
    }

    @Override
    public JobStream openStream(FetchRequest request, Consumer<LockedJob> sink) {
      synchronized (lock) {
        streams.add(sink);
      }
      streamsOpened.incrementAndGet();
      return new JobStream() {
        @Override
        public boolean isOpen() {
          return streamsConnected;
        }

        @Override
        public void close() {
          synchronized (lock) {
            streams.remove(sink);
          }
        }
      };
    }

    @Override
    public void complete(LockedJob job, String workerId, Map<String, ? extends @Nullable Object> variables,
        Map<String, ? extends @Nullable Object> localVariables) {
      completions.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void fail(LockedJob job, String workerId, String errorMessage, @Nullable String errorDetails,
        int retries, Duration retryBackoff) {
      throw new NotFoundException("pushing", "fail", 404, null, "not modelled", null);
    }

    @Override
    public void bpmnError(LockedJob job, String workerId, String errorCode, @Nullable String errorMessage,
        Map<String, ? extends @Nullable Object> variables) {
      throw new NotFoundException("pushing", "bpmnError", 404, null, "not modelled", null);
    }

    @Override
    public void release(LockedJob job, String workerId) {
      releases.incrementAndGet();
      releasesByJob.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
      offer(job.id());
    }

    @Override public void close() {}
  }
}
