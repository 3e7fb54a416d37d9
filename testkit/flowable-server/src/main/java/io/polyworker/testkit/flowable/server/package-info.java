/**
 * A real Flowable 7 engine as a Spring Boot application for tests: BPMN and CMMN engines on an H2 file database,
 * the process and external-job REST APIs, and a small CMMN helper API. Started in a child JVM by
 * {@code io.polyworker.testkit.engines.LocalFlowable}; not a library.
 */
package io.polyworker.testkit.flowable.server;
