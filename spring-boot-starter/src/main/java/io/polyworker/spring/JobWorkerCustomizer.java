package io.polyworker.spring;

import io.polyworker.worker.JobWorker;

/**
 * A bean that changes the starter's {@link JobWorker} before it is built: add a listener, a
 * subscription registered in code, or worker options the properties do not cover. Every such bean is
 * applied, in {@link org.springframework.core.annotation.Order @Order}, after the properties and the
 * annotated handlers.
 */
@FunctionalInterface
public interface JobWorkerCustomizer {

  /** Changes the builder; called once, on the thread that creates the worker bean. */
  void customize(JobWorker.Builder builder);
}
