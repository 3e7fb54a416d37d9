/**
 * Internal support shared by the engine modules: the OkHttp client set-up, auth, JSON calls and
 * bounded answer reading of the REST engines (Camunda 7, Flowable), message correlation with a
 * time-to-live and instance following for engines that have neither natively. Not a supported API:
 * it may change in any release. Applications use an engine module's public entry point instead.
 * Nothing here depends on the worker runtime.
 */
@NullMarked
package io.polyworker.support.internal;

import org.jspecify.annotations.NullMarked;
