/**
 * Choosing and configuring the engine: {@link io.polyworker.engine.Engine} (what an engine module's
 * builder makes), {@link io.polyworker.engine.Engines#fromConfig} with
 * {@link io.polyworker.engine.EngineConfig} for choosing it at deployment time, and the
 * {@link io.polyworker.engine.EngineProvider} each engine module registers for that; and
 * {@link io.polyworker.engine.MigratingProcessClient} for moving from one engine to another while
 * instances still run on the old one.
 */
@NullMarked
package io.polyworker.engine;

import org.jspecify.annotations.NullMarked;
