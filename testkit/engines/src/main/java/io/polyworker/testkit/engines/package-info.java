/**
 * Real workflow engines for tests, each running in a child JVM on a loopback port, with no Docker.
 *
 * <p>Start with {@link io.polyworker.testkit.engines.LocalCamunda#shared()} (one server per test JVM)
 * or the JUnit 5 {@link io.polyworker.testkit.engines.LocalEnginesExtension}, which injects the shared
 * instances into test parameters. {@link io.polyworker.testkit.engines.LocalEngine} is the common base:
 * start, stop, kill (crash), restart on the same port and data.
 * {@link io.polyworker.testkit.engines.LocalOperaton} is Operaton, the open fork of Camunda 7, with the
 * same REST API; both are a {@link io.polyworker.testkit.engines.CamundaRestEngine}.
 *
 * <p>{@link io.polyworker.testkit.engines.EngineEndpoint} is what a test needs of any of them: the engine id
 * and the settings for {@code Engines.fromConfig}; the containers of {@code polyworker-testkit-testcontainers}
 * implement it too, so a test switches between a local engine and a container in one line.
 *
 * <p>What an engine recorded is read in one place per engine, independently of any Polyworker client:
 * {@link io.polyworker.testkit.engines.CamundaHistory} ({@code LocalCamunda.history()}, {@code LocalOperaton.history()}),
 * {@link io.polyworker.testkit.engines.FlowableHistory} ({@code LocalFlowable.history()}) and
 * {@link io.polyworker.testkit.engines.ZeebeRecords} ({@code LocalZeebe.recordLog()}).
 *
 * <p>Depend on {@code io.polyworker:polyworker-testkit-engines} with test scope; the engines' server
 * jars come with it as runtime files, not as class path libraries.
 */
package io.polyworker.testkit.engines;
