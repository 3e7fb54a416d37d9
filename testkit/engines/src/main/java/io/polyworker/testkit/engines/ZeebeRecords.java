package io.polyworker.testkit.engines;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Read-only view of a {@link LocalZeebe}'s record log, parsed with Jackson. Zeebe has no query API of
 * its own (that is Operate's job), so questions about instances are answered from the records:
 * {@link #events} for one instance, {@link #readSince} for incremental reading of the whole log.
 */
public final class ZeebeRecords {
  private final LocalZeebe zeebe;

  ZeebeRecords(LocalZeebe zeebe) {
    this.zeebe = zeebe;
  }

  /**
   * The engine's events of one value type (such as {@code PROCESS_INSTANCE}, {@code INCIDENT},
   * {@code VARIABLE}) that mention {@code processInstanceKey}, oldest first. Lines are first narrowed
   * by the instance key and value type as text, then read as JSON; callers check which field holds the key.
   */
  public List<JsonNode> events(String processInstanceKey, String valueType) {
    String keyText = "\"processInstanceKey\":" + processInstanceKey;
    String typeText = "\"valueType\":\"" + valueType + "\"";
    List<JsonNode> result = new ArrayList<>();
    for (String line : zeebe.records()) {
      if (!line.contains(keyText) || !line.contains(typeText)) {
        continue;
      }
      JsonNode record = RecordHttp.parse(line, "record");
      if ("EVENT".equals(record.path("recordType").asText())
          && valueType.equals(record.path("valueType").asText())) {
        result.add(record);
      }
    }
    return result;
  }

  /**
   * The records from number {@code from} on (0 is the first), streamed from the engine: {@code lines}
   * is how many there were, {@code kept} the parsed ones whose line {@code keep} accepted. Pass
   * {@code from + lines} next time to read only what is new.
   */
  public Batch readSince(int from, Predicate<String> keep) {
    List<JsonNode> kept = new ArrayList<>();
    int[] lines = {0};
    RecordHttp.getLines(zeebe.controlUrl() + "/records?from=" + from, line -> {
      if (line.isBlank()) {
        return;
      }
      lines[0]++;
      if (keep.test(line)) {
        kept.add(RecordHttp.parse(line, "record"));
      }
    });
    return new Batch(lines[0], kept);
  }

  /** See {@link #readSince}. */
  public record Batch(int lines, List<JsonNode> kept) {
    public Batch {
      kept = List.copyOf(kept);
    }
  }
}
