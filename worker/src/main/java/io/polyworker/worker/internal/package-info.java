/**
 * The worker runtime behind {@link io.polyworker.worker.JobWorker}: per subscription a poller, a
 * pushed-job queue, slot accounting, job execution, result reporting, lock keeping and hand-backs.
 * Not a supported API: anything here may change in any release.
 */
@NullMarked
package io.polyworker.worker.internal;

import org.jspecify.annotations.NullMarked;
