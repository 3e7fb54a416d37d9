package io.polyworker.benchmarks;

/**
 * What a handler does with a job: nothing, or blocking for a fixed time as a stand-in for a call to
 * another system. Every client runs the same variant through its own handler API.
 *
 * @param id short name used in arguments and files ({@code zero}, {@code sleep50})
 * @param label name in tables
 * @param sleepMillis blocking time per job, 0 for none
 */
record Variant(String id, String label, long sleepMillis) {
  static final Variant ZERO = new Variant("zero", "zero work", 0);

  static Variant sleep(long millis) {
    if (millis <= 0) {
      throw new IllegalArgumentException("sleep must be > 0 ms");
    }
    return new Variant("sleep" + millis, millis + " ms blocking I/O", millis);
  }

  /** The handler's work. */
  void work() throws InterruptedException {
    if (sleepMillis > 0) {
      Thread.sleep(sleepMillis);
    }
  }
}
