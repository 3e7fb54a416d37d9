/**
 * Zeebe / Camunda 8 engine module: {@link io.polyworker.zeebe.ZeebeEngine} is its one entry point.
 */
@NullMarked
package io.polyworker.zeebe;

import org.jspecify.annotations.NullMarked;
