/**
 * The starter's internals: handler-method binding, the worker's assembly from properties and
 * annotations, its lifecycle, and the health state. Not public API; may change in any release.
 */
@NullMarked
package io.polyworker.spring.internal;

import org.jspecify.annotations.NullMarked;
