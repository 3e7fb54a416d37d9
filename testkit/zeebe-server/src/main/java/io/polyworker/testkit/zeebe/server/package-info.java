/**
 * A local Zeebe 8.8 engine for tests: the in-memory engine of {@code zeebe-process-test} behind its
 * gRPC gateway, bound to loopback, plus a tiny HTTP control endpoint (records, clock, health).
 *
 * <p>Run only as a child JVM on Java 21+ through the module's {@code exec} fat jar, normally by
 * {@code io.polyworker.testkit.engines.LocalZeebe}; see {@link io.polyworker.testkit.zeebe.server.ZeebeTestServer}
 * for the command line. Not a library: nothing here is API.
 */
@NullMarked
package io.polyworker.testkit.zeebe.server;

import org.jspecify.annotations.NullMarked;
