package io.polyworker.spring;

import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.engines.LocalFlowable;
import java.util.Map;

class FlowableStarterTest extends StarterContract {
  @Override
  protected Map<String, Object> engineProperties() {
    return Map.of("polyworker.engine", "flowable", "polyworker.url", LocalFlowable.shared().baseUrl());
  }

  @Override
  protected Dialect dialect() {
    return Dialect.FLOWABLE;
  }

  /** Flowable's external-job API carries no custom headers. */
  @Override
  protected boolean hasHeaders() {
    return false;
  }
}
