/**
 * Implementation of the Camunda 7 module. Not a supported API. Public only where another package
 * needs it: {@link io.polyworker.camunda.CamundaEngineProvider} for {@code ServiceLoader} and
 * {@link io.polyworker.camunda.internal.CamundaEngineFactory} for the builder.
 */
@NullMarked
package io.polyworker.camunda.internal;

import org.jspecify.annotations.NullMarked;
