/**
 * The public part of the engine support: {@link io.polyworker.support.RestEngineBuilder}, the options
 * the REST engines' builders share. Everything else the engine modules share is in
 * {@code io.polyworker.support.internal}, which is not an API.
 */
@NullMarked
package io.polyworker.support;

import org.jspecify.annotations.NullMarked;
