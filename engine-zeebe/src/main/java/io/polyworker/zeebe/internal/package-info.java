/**
 * Implementation of the Zeebe module on the official {@code camunda-client-java} (gRPC only). Not a supported API:
 * anything here may change in any release. Public only where another package needs it:
 * {@link io.polyworker.zeebe.ZeebeEngineProvider} for {@code ServiceLoader},
 * {@link io.polyworker.zeebe.internal.ZeebeEngineFactory} and the {@link io.polyworker.zeebe.internal.ZeebeSettings}
 * it takes for the builder.
 */
@NullMarked
package io.polyworker.zeebe.internal;

import org.jspecify.annotations.NullMarked;
