/**
 * Implementation of the Flowable module. Not a supported API: anything here may change in any release.
 */
@NullMarked
package io.polyworker.flowable.internal;

import org.jspecify.annotations.NullMarked;
