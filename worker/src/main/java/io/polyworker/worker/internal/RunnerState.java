package io.polyworker.worker.internal;

/** One subscription's counts at one moment; {@code io.polyworker.worker.SubscriptionState} documents them. */
public record RunnerState(String engine, String topic, int slotLimit, int jobsHeld, int jobsWaiting,
    int fetchesOpen) {}
