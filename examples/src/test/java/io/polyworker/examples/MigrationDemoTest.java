package io.polyworker.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyworker.testkit.engines.LocalCamunda;
import io.polyworker.testkit.engines.LocalZeebe;
import org.junit.jupiter.api.Test;

/**
 * The README's migration demo, smaller, on the shared local engines: orders started on Camunda 7
 * before the switch end there, orders started through the migrating client end on Zeebe, and the
 * one worker completed jobs on both, each counted from that engine's records.
 */
class MigrationDemoTest {

  @Test
  void everyOrderEndsAsExpectedOnItsOwnEngine() throws Exception {
    MigrationDemo.Summary summary = MigrationDemo.run(LocalCamunda.shared(), LocalZeebe.shared(), 10);

    // 10 orders: A-1..A-5 on Camunda and B-1..B-5 on Zeebe; order 5 of each asks more than the stock.
    assertThat(summary.camunda()).isEqualTo(new MigrationDemo.EngineCount("camunda", 5, 1, 4, 1, 4 * 3 + 1));
    assertThat(summary.zeebe()).isEqualTo(new MigrationDemo.EngineCount("zeebe", 5, 1, 4, 1, 4 * 3 + 1));
    assertThat(summary.ok()).isTrue();
  }
}
