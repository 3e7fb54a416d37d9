package io.polyworker.benchmarks;

/** One client under test on one engine: Polyworker, the engine's official client, or a raw loop. */
interface Client {

  /** Which of the three a client is; ratios pair clients of the same engine by kind. */
  enum Kind {
    POLYWORKER("polyworker"),
    /** Polyworker with its Micrometer and OpenTelemetry bindings on: their overhead, side by side. */
    OBSERVED("observed"),
    /** Polyworker through the Spring Boot starter: a {@code @JobSubscription} method, side by side with the plain one. */
    ANNOTATED("annotated"),
    /** Polyworker with the opt-in adaptive limit, {@code Concurrency.adaptive(32, 256)} (issue 17). */
    ADAPTIVE("adaptive"),
    OFFICIAL("official"),
    RAW("raw");

    final String id;

    Kind(String id) {
      this.id = id;
    }
  }

  Kind kind();

  /** The name in tables, saying honestly what runs. */
  String label();

  /** How this client's fetch requests are counted in the idle phase. */
  String fetchCounting();

  /**
   * Starts working on {@code topic} with the handler variant, reporting to the probe. Returns at once;
   * the client works in its own threads until closed.
   */
  Running open(String topic, Variant variant, Probe probe) throws Exception;

  /**
   * Whatever a client sets up before the clock starts, returning what starts it. The default sets up
   * nothing: {@link Opening#open()} is {@link #open}. A client that needs a container around it (the
   * Spring Boot context of the annotated client) builds it here, so that the throughput and idle
   * figures measure the path jobs take, not the container's start-up (measured by StarterStartup).
   */
  default Opening prepare(String topic, Variant variant, Probe probe) throws Exception {
    return () -> open(topic, variant, probe);
  }

  /** A prepared client; {@link #open()} starts it (and frees what was prepared if it cannot). */
  interface Opening {
    Running open() throws Exception;
  }

  /** An open client. {@link #close()} stops it and frees its threads and connections. */
  interface Running extends AutoCloseable {
    @Override
    void close() throws Exception;
  }
}
