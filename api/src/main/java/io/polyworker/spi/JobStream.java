package io.polyworker.spi;

/**
 * An open push stream of jobs (Zeebe job streaming). Closing it stops further pushes; jobs already
 * delivered stay locked by this worker.
 */
public interface JobStream extends AutoCloseable {
  /**
   * Whether the stream is connected now, so that jobs created now are pushed. False between a
   * broken connection and its reopening, and after {@link #close()}: the runtime then polls for new
   * jobs at its own pace. Defaults to true (a stream that cannot tell).
   */
  default boolean isOpen() {
    return true;
  }

  @Override
  void close();
}
