package io.polyworker.spring.internal;

import io.polyworker.engine.Engine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;

/**
 * The engines the starter created from {@code polyworker.engines}, as a bean of their own so that the
 * context closes them (the last first) after everything that uses them: the public
 * {@link io.polyworker.spring.PolyworkerEngines} only lends them out and has no close method.
 */
public final class OwnedEngines implements DisposableBean {
  private final List<Engine> engines;

  public OwnedEngines(List<Engine> engines) {
    this.engines = List.copyOf(engines);
  }

  /** The engines, in the order listed. */
  public List<Engine> engines() {
    return engines;
  }

  @Override
  public void destroy() {
    List<Engine> reversed = new ArrayList<>(engines);
    Collections.reverse(reversed);
    RuntimeException failure = null;
    for (Engine engine : reversed) {
      try {
        engine.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
