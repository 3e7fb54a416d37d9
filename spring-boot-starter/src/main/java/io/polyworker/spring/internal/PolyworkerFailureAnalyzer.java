package io.polyworker.spring.internal;

import io.polyworker.PolyworkerException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a Polyworker start-up error (a handler the starter cannot bind, an engine it cannot make
 * from the properties) into Spring Boot's "APPLICATION FAILED TO START" report with the message as
 * the description.
 */
public final class PolyworkerFailureAnalyzer extends AbstractFailureAnalyzer<PolyworkerException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, PolyworkerException cause) {
    return new FailureAnalysis("Polyworker could not start: " + cause.getMessage(),
        "Fix the handler or the polyworker.* property named above. The starter's properties and "
            + "annotations are described in the README of polyworker-spring-boot-starter.", cause);
  }
}
