/**
 * Internal support shared by the engine modules: the {@link io.polyworker.engine.Engine} implementation of
 * every engine and the way providers refuse a setting; for the REST engines (Camunda 7, Flowable) the
 * OkHttp client set-up, auth, JSON calls, bounded answer reading, which answers refuse a result and
 * dates; message correlation with a time-to-live and instance following for engines that have
 * neither natively. Not a supported API: it may change in any release. Applications use an engine
 * module's public entry point instead. Nothing here depends on the worker runtime.
 *
 * <p>OkHttp is an optional dependency: only {@link io.polyworker.support.internal.RestConversation},
 * {@link io.polyworker.support.internal.HttpSettings} and {@link io.polyworker.support.internal.HttpAuth}
 * use it, and a module without OkHttp on its class path (the Zeebe engine) must not touch them.
 */
@NullMarked
package io.polyworker.support.internal;

import org.jspecify.annotations.NullMarked;
