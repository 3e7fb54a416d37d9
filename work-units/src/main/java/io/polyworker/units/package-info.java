/**
 * Ready-made work units: engine-independent {@link io.polyworker.JobHandler}s that a team configures
 * instead of writing, each registered for a topic of the user's choice. Every unit reads its inputs
 * from documented variables (names overridable per registration) and treats every variable as
 * untrusted input: what it may reach (hosts, servers) comes from the operator's configuration only.
 */
@NullMarked
package io.polyworker.units;

import org.jspecify.annotations.NullMarked;
