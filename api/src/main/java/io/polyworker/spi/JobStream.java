package io.polyworker.spi;

/**
 * An open push stream of jobs (Zeebe job streaming). Closing it stops further pushes; jobs already
 * delivered stay locked by this worker.
 */
public interface JobStream extends AutoCloseable {
  @Override
  void close();
}
