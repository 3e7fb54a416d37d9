package io.polyworker.spring;

import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.LocalZeebe;
import java.util.Map;

class ZeebeStarterTest extends StarterContract {
  @Override
  protected Map<String, Object> engineProperties() {
    return Map.of("polyworker.engine", "zeebe", "polyworker.url", LocalZeebe.shared().grpcUri().toString());
  }

  @Override
  protected Dialect dialect() {
    return Dialect.ZEEBE;
  }
}
