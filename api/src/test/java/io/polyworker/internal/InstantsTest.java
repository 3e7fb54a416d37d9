package io.polyworker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import org.junit.jupiter.api.Test;

class InstantsTest {
  @Test
  void javaDatesAreInstantsAndNothingElseIs() {
    Instant instant = Instant.parse("2026-01-02T03:04:05.006Z");
    assertThat(Instants.of(instant)).isEqualTo(instant);
    assertThat(Instants.of(Date.from(instant))).isEqualTo(instant);
    assertThat(Instants.of(instant.atOffset(ZoneOffset.ofHours(2)))).isEqualTo(instant);
    assertThat(Instants.of(instant.atZone(ZoneId.of("Europe/Berlin")))).isEqualTo(instant);
    assertThat(Instants.of(instant.atOffset(ZoneOffset.UTC).toLocalDateTime())).isNull();
    assertThat(Instants.of(OffsetDateTime.MIN.toLocalDate())).isNull();
    assertThat(Instants.of("2026-01-02T03:04:05.006Z")).isNull();
    assertThat(Instants.of(null)).isNull();
  }
}
