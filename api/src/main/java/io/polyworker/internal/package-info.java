/**
 * The worker runtime and helpers shared by engine modules. Not a supported API: anything here may
 * change in any release.
 */
@NullMarked
package io.polyworker.internal;

import org.jspecify.annotations.NullMarked;
