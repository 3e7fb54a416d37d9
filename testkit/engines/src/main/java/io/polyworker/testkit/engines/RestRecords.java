package io.polyworker.testkit.engines;

import java.util.function.Supplier;

/**
 * What the engine-records views ({@link CamundaHistory}, {@link FlowableHistory}) share: the base URL
 * they query, asked for on every query, because a local engine may move to another port when it is
 * started again.
 */
abstract class RestRecords {
  private final Supplier<String> baseUrl;

  RestRecords(Supplier<String> baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** The base URL now, without a trailing slash. */
  final String base() {
    return baseUrl.get();
  }
}
