package io.polyworker.testkit.camunda.server;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Makes the server exit when the JVM that launched it is gone, even if that JVM was killed
 * without running its shutdown hooks, so no test run leaves an orphan engine behind.
 */
final class ParentWatch {

  private static final String ARGUMENT = "--polyworker.parent-pid=";

  private ParentWatch() {
  }

  static void exitWhenParentIsGone(String[] args) {
    Optional<Long> parentPid = java.util.Arrays.stream(args)
        .filter(arg -> arg.startsWith(ARGUMENT))
        .map(arg -> Long.parseLong(arg.substring(ARGUMENT.length()).trim()))
        .findFirst();
    if (parentPid.isEmpty()) {
      return;
    }
    Optional<ProcessHandle> parent = ProcessHandle.of(parentPid.get());
    if (parent.isEmpty() || !parent.get().isAlive()) {
      System.err.println("polyworker: parent process " + parentPid.get() + " is gone; exiting");
      System.exit(3);
    }
    parent.get().onExit().thenRun(ParentWatch::exit);
  }

  private static void exit() {
    System.err.println("polyworker: parent process is gone; shutting down");
    Thread halt = new Thread(() -> {
      try {
        TimeUnit.SECONDS.sleep(20); // a watchdog, not synchronisation: halt if a graceful exit hangs
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Runtime.getRuntime().halt(4);
    }, "polyworker-exit-watchdog");
    halt.setDaemon(true);
    halt.start();
    new Thread(() -> System.exit(0), "polyworker-parent-gone").start();
  }
}
