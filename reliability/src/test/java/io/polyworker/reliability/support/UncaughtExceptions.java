package io.polyworker.reliability.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects exceptions that escape any thread (the JVM's default handler), so a test can prove that
 * none escaped the worker's threads. Install in {@code @BeforeEach}, check and uninstall in
 * {@code @AfterEach}.
 */
public final class UncaughtExceptions {
  private final List<String> escaped = new CopyOnWriteArrayList<>();
  private Thread.UncaughtExceptionHandler previous;

  public void install() {
    previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> escaped.add(t.getName() + ": " + e));
  }

  public List<String> uninstall() {
    Thread.setDefaultUncaughtExceptionHandler(previous);
    return escaped;
  }
}
