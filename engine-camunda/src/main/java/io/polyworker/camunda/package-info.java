/**
 * Camunda 7 engine module: {@link io.polyworker.camunda.CamundaEngine} is its one entry point.
 */
@NullMarked
package io.polyworker.camunda;

import org.jspecify.annotations.NullMarked;
