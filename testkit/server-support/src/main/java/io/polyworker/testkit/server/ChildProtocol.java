package io.polyworker.testkit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The child's side of the launcher protocol of {@code io.polyworker.testkit.engines.LocalEngine},
 * for the test servers it starts: leave no orphan server when the launching JVM dies (even by
 * {@code kill -9}, which runs no shutdown hook there), and say "ready" by writing the listening port
 * to a file atomically, so that a launcher polling for the file never reads half of it.
 *
 * <p>The arguments every server receives: {@value #PORT}, {@value #PORT_FILE}, {@value #DATA_DIR} and
 * {@value #PARENT_PID}, each as {@code --name=value}. Stateless and thread-safe.
 */
public final class ChildProtocol {
  /** The port to listen on; 0 picks a free one. */
  public static final String PORT = "polyworker.port";
  /** Where the actual port is written, as decimal text, once the server is ready. */
  public static final String PORT_FILE = "polyworker.port-file";
  /** The server's data directory (database files, logs); kept across restarts by the launcher. */
  public static final String DATA_DIR = "polyworker.data-dir";
  /** The PID of the launching JVM; the server exits when it is gone. */
  public static final String PARENT_PID = "polyworker.parent-pid";

  /** Exit code when the parent was already gone at start-up. */
  static final int PARENT_ALREADY_GONE = 3;
  /** Exit code of the watchdog's halt when a graceful exit did not finish. */
  static final int EXIT_HUNG = 4;
  /** How long a graceful exit may take before the watchdog halts the JVM. */
  static final long EXIT_WATCHDOG_SECONDS = 20;

  private ChildProtocol() {}

  /** The value of {@code --name=value} among {@code args}, if present and not blank. */
  public static Optional<String> argument(String[] args, String name) {
    String prefix = "--" + name + "=";
    return Arrays.stream(args)
        .filter(arg -> arg.startsWith(prefix))
        .map(arg -> arg.substring(prefix.length()).trim())
        .filter(value -> !value.isEmpty())
        .reduce((first, later) -> later);
  }

  /**
   * Makes this JVM exit (with {@link System#exit}, so shutdown hooks stop the engine) when the
   * process named by {@value #PARENT_PID} in {@code args} is gone; exits at once if it already is.
   * Does nothing without that argument. If the graceful exit hangs, a watchdog halts the JVM after
   * {@value #EXIT_WATCHDOG_SECONDS} s.
   */
  public static void exitWithParent(String[] args) {
    argument(args, PARENT_PID).map(Long::parseLong).ifPresent(ChildProtocol::exitWithParent);
  }

  /** As {@link #exitWithParent(String[])}, for a server that reads its arguments itself. */
  public static void exitWithParent(long pid) {
    Optional<ProcessHandle> parent = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (parent.isEmpty()) {
      System.err.println("polyworker: parent process " + pid + " is gone; exiting");
      System.exit(PARENT_ALREADY_GONE);
    }
    parent.get().onExit().thenRun(() -> {
      System.err.println("polyworker: parent process " + pid + " ended; shutting down");
      Thread watchdog = new Thread(() -> {
        try {
          TimeUnit.SECONDS.sleep(EXIT_WATCHDOG_SECONDS); // a watchdog, not synchronisation
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(EXIT_HUNG);
      }, "polyworker-exit-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
      new Thread(() -> System.exit(0), "polyworker-parent-gone").start();
    });
  }

  /** Writes {@code port} to {@code portFile} atomically: the launcher's signal that the server is ready. */
  public static void announcePort(Path portFile, int port) {
    writeAtomically(portFile, Integer.toString(port));
  }

  /**
   * Writes {@code content} (ASCII) to {@code target} through a temporary file in the same directory
   * and a rename, atomic where the file system allows it; creates the directory if missing.
   *
   * @throws UncheckedIOException if the file cannot be written
   */
  public static void writeAtomically(Path target, String content) {
    Path absolute = target.toAbsolutePath();
    try {
      Files.createDirectories(absolute.getParent());
      Path temp = Files.createTempFile(absolute.getParent(), absolute.getFileName() + ".", ".tmp");
      try {
        Files.writeString(temp, content, StandardCharsets.US_ASCII);
        try {
          Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + absolute, e);
    }
  }
}
