/**
 * An in-memory process engine for fast unit tests of handlers and of the worker runtime:
 * {@link io.polyworker.testkit.memory.InMemoryEngine}. It passes the same conformance kit as the real
 * engines, so a handler that works against it behaves the same against Camunda, Flowable or Zeebe
 * (within the kit's contracts).
 */
@NullMarked
package io.polyworker.testkit.memory;

import org.jspecify.annotations.NullMarked;
