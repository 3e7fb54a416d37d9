package io.polyworker.reliability.support;

import java.util.List;

/**
 * What the engine's own records say happened to one process instance of a single-task test
 * process.
 *
 * @param instanceId the process instance
 * @param state {@code COMPLETED}, {@code ACTIVE}, {@code TERMINATED}
 * @param completions how many times the engine accepted a completion of the task (exactly once is the goal)
 * @param failures how many failures the engine accepted
 * @param incident whether the task ran out of retries (Camunda/Zeebe incident, Flowable dead letter)
 * @param completedBy the worker ids behind the completions, where the engine records them
 */
public record Outcome(String instanceId, String state, int completions, int failures, boolean incident,
    List<String> completedBy) {}
