package io.polyworker.testkit.common;

/** The BPMN extension dialect an engine reads: how an external task and its topic are written. */
public enum Dialect {
  /** Camunda 7 (and Operaton / CIB seven): {@code camunda:type="external" camunda:topic}. */
  CAMUNDA,
  /** Flowable: {@code flowable:type="external-worker" flowable:topic}. */
  FLOWABLE,
  /** Zeebe / Camunda 8: {@code zeebe:taskDefinition type}. */
  ZEEBE
}
