package io.polyworker.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Date;
import org.jspecify.annotations.Nullable;

/**
 * The point in time a date value stands for: {@link Instant}, {@link Date}, {@link OffsetDateTime}
 * and {@link ZonedDateTime} all become an {@code Instant}, the one date type variables carry on
 * every engine.
 */
public final class Instants {
  private Instants() {}

  /** The instant of a date value, or null when {@code value} is none of the date types. */
  public static @Nullable Instant of(@Nullable Object value) {
    if (value instanceof Instant i) {
      return i;
    }
    if (value instanceof Date d) {
      return d.toInstant();
    }
    if (value instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    if (value instanceof ZonedDateTime z) {
      return z.toInstant();
    }
    return null;
  }
}
