/**
 * Flowable engine module: {@link io.polyworker.flowable.FlowableEngine} is its one entry point.
 */
@NullMarked
package io.polyworker.flowable;

import org.jspecify.annotations.NullMarked;
