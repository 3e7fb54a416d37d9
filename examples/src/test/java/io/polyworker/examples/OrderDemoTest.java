package io.polyworker.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyworker.engine.Engine;
import io.polyworker.engine.Engines;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's demo, smaller, on every engine: same handlers and HTTP unit, every order ends as
 * expected. On the shared local engines (the demo's own engine start is the testkit's, tested there).
 */
class OrderDemoTest {

  @ParameterizedTest
  @ValueSource(strings = {"camunda", "flowable", "zeebe"})
  void everyOrderEndsAsExpected(String engine) throws Exception {
    try (Engine shared = Engines.fromConfig(SharedEngines.config(engine))) {
      assertThat(OrderDemo.run(shared, engine, 10)).as("demo on %s", engine).isTrue();
    }
  }
}
