package io.polyworker.support.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The date-times both REST engines write, and the Java dates variables hold. */
class DatesTest {
  @Test
  void parsesEveryOffsetFormTheEnginesWrite() {
    Map<String, String> parsed = Map.ofEntries(
        // Camunda 7's own format.
        Map.entry("2026-11-21T18:55:41.656+0000", "2026-11-21T18:55:41.656Z"),
        // Flowable's lock expiry, and ISO-8601 as Java writes it.
        Map.entry("2026-11-21T20:54:43.219Z", "2026-11-21T20:54:43.219Z"),
        Map.entry("2026-11-21T18:55:41.656+01:00", "2026-11-21T17:55:41.656Z"),
        Map.entry("2026-11-21T18:55:41.123456789Z", "2026-11-21T18:55:41.123456789Z"),
        Map.entry("2026-11-21T18:55:41.123456+0100", "2026-11-21T17:55:41.123456Z"),
        Map.entry("2026-11-21T18:55:41.656-0530", "2026-11-22T00:25:41.656Z"),
        Map.entry("2026-11-21T18:55:41.656+01", "2026-11-21T17:55:41.656Z"),
        Map.entry("2026-11-21T18:55:41+01:00:30", "2026-11-21T17:55:11Z"),
        Map.entry("2026-11-21T18:55+0100", "2026-11-21T17:55:00Z"),
        Map.entry("+10000-01-01T00:00:00+0000", "+10000-01-01T00:00:00Z"),
        Map.entry("2026-11-21T23:59:60Z", "2026-11-21T23:59:59Z"));
    parsed.forEach((text, instant) -> {
      assertThat(Dates.parse(text)).as(text).isEqualTo(Instant.parse(instant));
      assertThat(Dates.parseOrNull(text)).as(text).isEqualTo(Instant.parse(instant));
    });
  }

  @Test
  void refusesWhatNamesNoInstant() {
    for (String text : new String[] {"2026-11-21T18:55:41", "2026-11-21", "soon", "",
        "2026-11-21T18:55:41.656 +0100", "2026-11-21T18:55:41.656+01:00Z"}) {
      assertThatThrownBy(() -> Dates.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
      assertThat(Dates.parseOrNull(text)).as(text).isNull();
    }
  }
}
