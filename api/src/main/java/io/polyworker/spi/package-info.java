/**
 * Service provider interface implemented by engine modules: {@link io.polyworker.spi.EngineClient}
 * for jobs and {@link io.polyworker.engine.EngineProvider} for configuration-driven discovery.
 * Applications normally do not use this package.
 */
@NullMarked
package io.polyworker.spi;

import org.jspecify.annotations.NullMarked;
