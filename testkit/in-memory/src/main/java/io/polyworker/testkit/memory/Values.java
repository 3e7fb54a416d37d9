package io.polyworker.testkit.memory;

import static io.polyworker.testkit.memory.InMemoryEngine.ID;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.polyworker.VariableException;
import io.polyworker.internal.Instants;
import io.polyworker.internal.Json;
import io.polyworker.testkit.memory.InMemoryEngine.Operation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How an {@link InMemoryEngine} stores variable values: as plain Java, the way a real engine would
 * give them back (strings, numbers, booleans, {@link Instant}s, byte arrays; anything else through
 * JSON), and copied in and out so that nobody changes the engine's state through a map they hold.
 */
final class Values {
  private Values() {}

  /** Encodes values the way an engine stores them; throws naming the variable when one cannot be. */
  static Map<String, @Nullable Object> encode(Map<String, ? extends @Nullable Object> variables,
      Operation op) {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, ? extends @Nullable Object> e : variables.entrySet()) {
      if (e.getKey() == null || e.getKey().isBlank()) {
        throw new VariableException(ID, op.operationName(), 400, null, "a variable name is blank", null);
      }
      out.put(e.getKey(), encodeValue(e.getKey(), e.getValue(), op));
    }
    return out;
  }

  private static @Nullable Object encodeValue(String name, @Nullable Object v, Operation op) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Integer
        || v instanceof Long || v instanceof Short || v instanceof Double || v instanceof Float
        || v instanceof Byte || v instanceof BigDecimal || v instanceof BigInteger
        || v instanceof Instant) {
      return v;
    }
    if (v instanceof Character c) {
      return c.toString();
    }
    Instant date = Instants.of(v);
    if (date != null) {
      return date;
    }
    if (v instanceof byte[] bytes) {
      return bytes.clone();
    }
    try {
      return Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(v), Object.class);
    } catch (JsonProcessingException e) {
      throw new VariableException(ID, op.operationName(), -1, null, "variable '" + name + "' ("
          + v.getClass().getName() + ") cannot be serialized as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** A deep copy of a map of stored values. */
  static Map<String, @Nullable Object> copyMap(Map<String, @Nullable Object> map) {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k, copy(v)));
    return out;
  }

  /** A deep copy of a stored value: JSON trees are mutable, scalars are not. */
  @SuppressWarnings("unchecked")
  static @Nullable Object copy(@Nullable Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<Object, @Nullable Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(k, copy(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<@Nullable Object> out = new ArrayList<>(l.size());
      l.forEach(x -> out.add(copy(x)));
      return out;
    }
    if (v instanceof byte[] b) {
      return b.clone();
    }
    return v;
  }
}
