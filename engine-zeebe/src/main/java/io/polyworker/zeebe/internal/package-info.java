/**
 * Implementation of the Zeebe module on the official {@code camunda-client-java} (gRPC only). Not a supported API:
 * anything here may change in any release.
 */
@NullMarked
package io.polyworker.zeebe.internal;

import org.jspecify.annotations.NullMarked;
