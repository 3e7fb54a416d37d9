package io.polyworker.worker;

/**
 * A snapshot of one subscription of a {@link JobWorker}, for gauges and health checks. Each value is
 * read on its own without a common lock, so a snapshot taken while jobs move may be off by one job
 * between fields; every field is exact once the worker is idle or closed.
 *
 * @param engine the engine id
 * @param topic the subscription's topic
 * @param slotLimit the subscription's {@code maxConcurrentJobs} (on a worker over several engines, its
 *     limit on this engine: {@code maxConcurrentJobsPerEngine}, the shared limit by default); with an
 *     adaptive limit ({@code Concurrency.adaptive}), the limit in force now
 * @param jobsHeld jobs holding a slot: waiting for a thread, running their handler, or reporting
 *     their result on the handler's thread (a fetch in flight may have reserved further slots; they
 *     are not counted, nor are the reports, at most {@code slotLimit}, that went on without a slot)
 * @param jobsWaiting jobs the engine pushed that wait in the worker for a slot (0 without streaming)
 * @param fetchesOpen open requests for work: 1 while a fetch or long poll is in flight or the job
 *     stream is open, else 0; both at once count 2
 */
public record SubscriptionState(String engine, String topic, int slotLimit, int jobsHeld,
    int jobsWaiting, int fetchesOpen) {}
