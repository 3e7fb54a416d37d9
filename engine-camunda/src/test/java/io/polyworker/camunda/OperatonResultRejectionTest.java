package io.polyworker.camunda;

import io.polyworker.testkit.engines.CamundaRestEngine;
import io.polyworker.testkit.engines.LocalOperaton;

/** Operaton refuses the same results with the same answers as Camunda 7.24. */
class OperatonResultRejectionTest extends CamundaResultRejectionTest {
  @Override
  CamundaRestEngine server() {
    return LocalOperaton.shared();
  }
}
