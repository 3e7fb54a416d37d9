/** Micrometer meters for Polyworker's job workers: {@link io.polyworker.micrometer.JobWorkerMetrics}. */
@NullMarked
package io.polyworker.micrometer;

import org.jspecify.annotations.NullMarked;
