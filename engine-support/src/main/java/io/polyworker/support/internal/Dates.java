package io.polyworker.support.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/**
 * Dates to and from the REST engines: the Java date-time values a variable may hold, as instants, and
 * the date-times the engines write, parsed.
 *
 * <p>Parsing takes ISO-8601 date-times with an offset in any of the forms Java servers write:
 * {@code Z}, {@code +01:00}, {@code +0100} (Camunda: {@code 2026-11-21T18:55:41.656+0000}), {@code +01}
 * or {@code +01:00:30}; seconds and fractions of any length are optional. A date-time without an
 * offset is refused: it names no instant.
 */
public final class Dates {
  private static final DateTimeFormatter OFFSET_DATE_TIME = new DateTimeFormatterBuilder()
      .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
      // +0100 first: lenient offset parsing would take its +01 and leave 00 behind.
      .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
      .optionalStart().parseLenient().appendOffsetId().parseStrict().optionalEnd()
      .toFormatter();

  private Dates() {}

  /**
   * Parses a date-time with an offset.
   *
   * @throws DateTimeParseException when the text is not one
   */
  public static Instant parse(String text) {
    try {
      return OffsetDateTime.parse(text, OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      // Also what only ISO_INSTANT takes, such as a leap second.
      return Instant.parse(text);
    }
  }

  /** {@link #parse(String)}, with null for a text that is not a date-time with an offset. */
  public static @Nullable Instant parseOrNull(String text) {
    try {
      return parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
