/**
 * Internal support shared by the REST engine modules (Camunda 7, Flowable): the OkHttp client set-up,
 * auth, JSON calls and bounded answer reading. Not a supported API: it may change in any release.
 * Applications use an engine module's public entry point instead.
 */
@NullMarked
package io.polyworker.http.internal;

import org.jspecify.annotations.NullMarked;
