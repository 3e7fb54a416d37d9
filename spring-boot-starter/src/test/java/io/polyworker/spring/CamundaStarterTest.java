package io.polyworker.spring;

import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.LocalCamunda;
import java.util.Map;

class CamundaStarterTest extends StarterContract {
  @Override
  protected Map<String, Object> engineProperties() {
    return Map.of("polyworker.engine", "camunda", "polyworker.url", LocalCamunda.shared().restUrl());
  }

  @Override
  protected Dialect dialect() {
    return Dialect.CAMUNDA;
  }
}
