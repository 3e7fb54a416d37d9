package io.polyworker.reliability.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Writes measured figures to standard output and appends them to
 * {@code target/reliability-figures.txt}, one line each, so RELIABILITY.md can quote real runs. Each
 * line names the JDK the test ran on ({@code [JDK 17]}, {@code [JDK 25]}).
 */
public final class Measured {
  private static final Path FILE = Path.of("target", "reliability-figures.txt");

  private Measured() {}

  public static synchronized void report(String test, String format, Object... args) {
    // The tests run on JDK 17 and on a JDK 21+ (virtual threads): each figure says which.
    String line = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) + " [JDK "
        + Runtime.version().feature() + "] " + test + ": " + String.format(java.util.Locale.ROOT, format, args);
    System.out.println("MEASURED " + line);
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, line + System.lineSeparator(), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
