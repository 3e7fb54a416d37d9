/** The work units' internals. Not public API; may change in any release. */
@NullMarked
package io.polyworker.units.internal;

import org.jspecify.annotations.NullMarked;
