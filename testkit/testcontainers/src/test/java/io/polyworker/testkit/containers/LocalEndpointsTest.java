package io.polyworker.testkit.containers;

import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.testkit.engines.LocalFlowable;
import io.polyworker.testkit.engines.LocalZeebe;
import org.junit.jupiter.api.Test;

/**
 * The round trip of the container tests, run against the local engines instead: the only difference
 * is the line that picks the endpoint. Needs no Docker, so it runs everywhere and shows that what the
 * container tests do works through {@code EngineEndpoint} alone. One engine per engine module:
 * {@code LocalOperaton} shares {@code LocalCamunda}'s {@code config()} (both are a
 * {@code CamundaRestEngine}), and its start would add some 20-45 s to the build for nothing new.
 */
class LocalEndpointsTest {

  @Test
  void camunda() {
    OneTaskRoundTrip.run(LocalCamunda.shared(), "camunda", Dialect.CAMUNDA);
  }

  @Test
  void flowable() {
    OneTaskRoundTrip.run(LocalFlowable.shared(), "flowable", Dialect.FLOWABLE);
  }

  @Test
  void zeebe() {
    OneTaskRoundTrip.run(LocalZeebe.shared(), "zeebe", Dialect.ZEEBE);
  }
}
