/**
 * Implementation of the Camunda 7 module. Not a supported API.
 */
@NullMarked
package io.polyworker.camunda.internal;

import org.jspecify.annotations.NullMarked;
