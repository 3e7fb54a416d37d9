package io.polyworker.testkit.common;

/** Where a process instance is, as the conformance kit asks an {@link EngineFixture}. */
public enum InstanceState {
  /** Still running (possibly with an incident). */
  ACTIVE,
  /** Reached an end event. */
  COMPLETED,
  /** Cancelled or terminated. */
  TERMINATED,
  /** The engine does not know the instance. */
  UNKNOWN
}
