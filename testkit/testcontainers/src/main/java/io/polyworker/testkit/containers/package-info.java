/**
 * The engines' official Docker images as Testcontainers, for tests that should meet the released
 * distributions: {@link io.polyworker.testkit.containers.CamundaContainer} (Camunda 7 Run),
 * {@link io.polyworker.testkit.containers.OperatonContainer}, {@link io.polyworker.testkit.containers.FlowableContainer}
 * (Flowable REST) and {@link io.polyworker.testkit.containers.Camunda8Container} (Camunda 8.8, Zeebe's
 * gRPC gateway).
 *
 * <p>Each is an {@link io.polyworker.testkit.engines.EngineEndpoint}, as the local engines of
 * {@code polyworker-testkit-engines} are, and has a {@code shared()} method as they have, so a test
 * moves from a local engine to a container in one line ({@code LocalCamunda.shared()} becomes
 * {@code CamundaContainer.shared()}) and builds its engine with {@code Engines.fromConfig(endpoint.config())}.
 * A Docker engine must be reachable where such a test runs; mark the test class
 * {@code @Testcontainers(disabledWithoutDocker = true)} so that elsewhere it is reported as skipped.
 */
package io.polyworker.testkit.containers;
