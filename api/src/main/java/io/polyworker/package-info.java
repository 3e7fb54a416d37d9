/**
 * Polyworker's public API: write a {@link io.polyworker.JobHandler} once and run it with a
 * {@code io.polyworker.worker.JobWorker} on Camunda 7, Flowable or Zeebe; drive processes with a
 * {@link io.polyworker.ProcessClient}. All exceptions derive from
 * {@link io.polyworker.PolyworkerException}.
 */
@NullMarked
package io.polyworker;

import org.jspecify.annotations.NullMarked;
