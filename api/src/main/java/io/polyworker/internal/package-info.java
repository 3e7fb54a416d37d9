/**
 * The value mapping behind the contract's {@code Variables}: the one configured Jackson mapper and
 * the map-backed implementation, shared by the worker runtime, the engine modules and the test kit.
 * No threads, no engine calls. Not a supported API: anything here may change in any release.
 */
@NullMarked
package io.polyworker.internal;

import org.jspecify.annotations.NullMarked;
