package io.polyworker.benchmarks;

/** One client under test on one engine: Polyworker, the engine's official client, or a raw loop. */
interface Client {

  /** Which of the three a client is; ratios pair clients of the same engine by kind. */
  enum Kind {
    POLYWORKER("polyworker"),
    /** Polyworker with its Micrometer and OpenTelemetry bindings on: their overhead, side by side. */
    OBSERVED("observed"),
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

  /** An open client. {@link #close()} stops it and frees its threads and connections. */
  interface Running extends AutoCloseable {
    @Override
    void close() throws Exception;
  }
}
