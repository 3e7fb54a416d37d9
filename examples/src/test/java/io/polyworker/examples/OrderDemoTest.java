package io.polyworker.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The README's demo, smaller, on every engine: same handlers, every order ends as expected. */
class OrderDemoTest {

  @ParameterizedTest
  @ValueSource(strings = {"camunda", "flowable", "zeebe"})
  void everyOrderEndsAsExpected(String engine) throws Exception {
    assertThat(OrderDemo.run(engine, 10)).as("demo on %s", engine).isTrue();
  }
}
