package io.polyworker.testkit.containers;

import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.testkit.engines.LocalZeebe;
import org.junit.jupiter.api.Test;

/**
 * The round trip of the container tests, run against the local engines instead: the only difference
 * is the line that picks the endpoint. Needs no Docker, so it runs everywhere and shows that what the
 * container tests do works through {@code EngineEndpoint} alone. One engine per engine module:
 * {@code LocalOperaton} shares {@code LocalCamunda}'s {@code config()} (both are a
 * {@code CamundaRestEngine}), and its start would add some 20-45 s to the build for nothing new;
 * Flowable's is left out for the CI budget too: {@code LocalFlowable.config()} is the URL the Flowable
 * module's own tests connect with, and {@code FlowableContainer}'s paths are checked by
 * {@code ContainerSettingsTest}.
 */
class LocalEndpointsTest {

  @Test
  void camunda() {
    OneTaskRoundTrip.run(LocalCamunda.shared(), "camunda", Dialect.CAMUNDA);
  }

  @Test
  void zeebe() {
    OneTaskRoundTrip.run(LocalZeebe.shared(), "zeebe", Dialect.ZEEBE);
  }
}
