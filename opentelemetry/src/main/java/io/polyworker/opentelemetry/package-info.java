/** OpenTelemetry tracing for Polyworker: {@link io.polyworker.opentelemetry.JobTracing}. */
@NullMarked
package io.polyworker.opentelemetry;

import org.jspecify.annotations.NullMarked;
