/**
 * Implementation of the Flowable module. Not a supported API: anything here may change in any release.
 * Public only where another package needs it:
 * {@link io.polyworker.flowable.FlowableEngineProvider} for {@code ServiceLoader} and
 * {@link io.polyworker.flowable.internal.FlowableEngineFactory} for the builder.
 */
@NullMarked
package io.polyworker.flowable.internal;

import org.jspecify.annotations.NullMarked;
