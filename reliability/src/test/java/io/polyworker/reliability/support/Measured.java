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
 * {@code target/reliability-figures.txt}, one line each, so RELIABILITY.md can quote real runs.
 */
public final class Measured {
  private static final Path FILE = Path.of("target", "reliability-figures.txt");

  private Measured() {}

  public static synchronized void report(String test, String format, Object... args) {
    String line = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) + " "
        + test + ": " + String.format(java.util.Locale.ROOT, format, args);
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
