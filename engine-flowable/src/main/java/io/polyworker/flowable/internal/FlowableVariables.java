package io.polyworker.flowable.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyworker.MalformedAnswerException;
import io.polyworker.UnreadableValue;
import io.polyworker.VariableException;
import io.polyworker.flowable.FlowableEngine;
import io.polyworker.internal.Instants;
import io.polyworker.internal.Json;
import io.polyworker.support.internal.Dates;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Flowable's REST variables, {@code [{"name", "type", "value"}]}, to and from plain Java.
 *
 * <p>Decoding turns each typed value into the Java type the {@link io.polyworker.Variables} contract
 * names. A value this class cannot or must not decode (Flowable's {@code serializable}, which the
 * external job API sends with a null value, or a type it does not know, or a value that does not match
 * its type) becomes an {@link UnreadableValue} with the reason, so the other variables of the job stay
 * usable; a list that is not shaped like variables at all is a {@link MalformedAnswerException}.
 *
 * <p>Encoding picks the Flowable type from the Java type; maps, lists and other objects go as
 * {@code json} through Jackson. {@code byte[]} is refused: the external job API has no binary type.
 */
final class FlowableVariables {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private FlowableVariables() {}

  // ---------------------------------------------------------------- decoding

  /**
   * Decodes a variables array; {@code wanted} (null for all) drops the others.
   *
   * @throws MalformedAnswerException when the array or an entry is not shaped like a variable
   */
  static Map<String, @Nullable Object> decode(@Nullable JsonNode variables,
      @Nullable Set<String> wanted, String operation, String answer) {
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    if (variables == null || variables.isNull()) {
      return result;
    }
    if (!variables.isArray()) {
      throw malformed(operation, answer, "'variables' is not an array but " + variables.getNodeType());
    }
    for (JsonNode v : variables) {
      if (!v.isObject()) {
        throw malformed(operation, answer, "a variable is not an object but " + v.getNodeType());
      }
      JsonNode name = v.get("name");
      if (name == null || !name.isTextual() || name.asText().isEmpty()) {
        throw malformed(operation, answer, "a variable has no name");
      }
      if (wanted != null && !wanted.contains(name.asText())) {
        continue;
      }
      JsonNode type = v.get("type");
      if (type != null && !type.isNull() && !type.isTextual()) {
        throw malformed(operation, answer, "variable '" + name.asText() + "' has a type that is not a string");
      }
      result.put(name.asText(), value(type == null || type.isNull() ? null : type.asText(), v.get("value")));
    }
    return result;
  }

  private static MalformedAnswerException malformed(String operation, String answer, String detail) {
    return new MalformedAnswerException(FlowableEngine.ID, operation, 200, answer, detail, null);
  }

  /** One value; never throws for a bad value, which becomes an {@link UnreadableValue}. */
  static @Nullable Object value(@Nullable String type, @Nullable JsonNode value) {
    if (value == null || value.isNull()) {
      // Flowable sends no type for null values, and "serializable" with a null value for objects
      // it will not show over REST.
      if ("serializable".equals(type)) {
        return new UnreadableValue("serializable",
            "Flowable stores it as a serialized Java object and does not send its value over REST;"
                + " store the value as JSON instead");
      }
      return null;
    }
    if (type == null) {
      // No type but a value: only plain JSON can be meant.
      return fromJson(value);
    }
    switch (type) {
      case "string":
        return value.isTextual() ? value.asText() : wrong(type, value, "a string");
      case "integer":
        return value.isIntegralNumber() && value.canConvertToInt() ? (Object) value.intValue()
            : wrong(type, value, "a 32-bit integer");
      case "long":
        return value.isIntegralNumber() && value.canConvertToLong() ? (Object) value.longValue()
            : wrong(type, value, "a 64-bit integer");
      case "short":
        return value.isIntegralNumber() && value.canConvertToInt()
            && value.intValue() >= Short.MIN_VALUE && value.intValue() <= Short.MAX_VALUE
            ? (Object) (short) value.intValue() : wrong(type, value, "a 16-bit integer");
      case "double":
        return value.isNumber() ? (Object) value.doubleValue() : wrong(type, value, "a number");
      case "boolean":
        return value.isBoolean() ? (Object) value.booleanValue() : wrong(type, value, "true or false");
      case "date":
      case "instant":
        return value.isTextual() ? instant(type, value) : wrong(type, value, "an ISO-8601 date-time");
      case "localDate":
        return parse(type, value, "an ISO-8601 date", s -> LocalDate.parse(s));
      case "localDateTime":
        return parse(type, value, "an ISO-8601 local date-time", s -> LocalDateTime.parse(s));
      case "bigDecimal":
        return value.isNumber() ? value.decimalValue()
            : parse(type, value, "a decimal number", BigDecimal::new);
      case "bigInteger":
        return value.isIntegralNumber() ? value.bigIntegerValue()
            : parse(type, value, "an integer", BigInteger::new);
      case "uuid":
        return value.isTextual() ? value.asText() : wrong(type, value, "a UUID string");
      case "json":
        return fromJson(value);
      case "serializable":
        return new UnreadableValue("serializable",
            "a serialized Java object is never decoded: store the value as JSON instead");
      default:
        return new UnreadableValue(type, "Polyworker does not know the Flowable variable type '"
            + type + "'");
    }
  }

  private interface Parser {
    Object parse(String text);
  }

  private static Object parse(String type, JsonNode value, String expected, Parser parser) {
    if (!value.isTextual()) {
      return wrong(type, value, expected);
    }
    try {
      return parser.parse(value.asText());
    } catch (RuntimeException e) {
      return wrong(type, value, expected);
    }
  }

  private static Object instant(String type, JsonNode value) {
    Instant parsed = Dates.parseOrNull(value.asText());
    return parsed != null ? parsed : wrong(type, value, "an ISO-8601 date-time with offset");
  }

  private static UnreadableValue wrong(String type, JsonNode value, String expected) {
    String shown = value.toString();
    if (shown.length() > 80) {
      shown = shown.substring(0, 80) + "…";
    }
    return new UnreadableValue(type, "Flowable sent " + shown + " for a value of type '" + type
        + "', which should be " + expected);
  }

  private static @Nullable Object fromJson(JsonNode value) {
    try {
      return Json.MAPPER.treeToValue(value, Object.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return new UnreadableValue("json", "the JSON value cannot be read: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- encoding

  /**
   * Encodes variables for a request.
   *
   * @throws VariableException naming the first variable that cannot be sent
   */
  static ArrayNode encode(Map<String, ? extends @Nullable Object> variables) {
    ArrayNode array = NODES.arrayNode();
    variables.forEach((name, value) -> array.add(encode(name, value)));
    return array;
  }

  private static ObjectNode encode(String name, @Nullable Object value) {
    ObjectNode v = NODES.objectNode();
    v.put("name", name);
    Instant date = Instants.of(value);
    if (value == null) {
      v.putNull("value");
    } else if (value instanceof String s) {
      v.put("type", "string").put("value", s);
    } else if (value instanceof Character c) {
      v.put("type", "string").put("value", c.toString());
    } else if (value instanceof Integer i) {
      v.put("type", "integer").put("value", i);
    } else if (value instanceof Long l) {
      v.put("type", "long").put("value", l);
    } else if (value instanceof Short s) {
      v.put("type", "short").put("value", s);
    } else if (value instanceof Byte b) {
      v.put("type", "short").put("value", (short) b);
    } else if (value instanceof Double d) {
      finite(name, d);
      v.put("type", "double").put("value", d);
    } else if (value instanceof Float f) {
      finite(name, f.doubleValue());
      v.put("type", "double").put("value", Double.parseDouble(f.toString()));
    } else if (value instanceof BigDecimal bd) {
      v.put("type", "bigDecimal").put("value", bd.toString());
    } else if (value instanceof BigInteger bi) {
      v.put("type", "bigInteger").put("value", bi.toString());
    } else if (value instanceof Boolean b) {
      v.put("type", "boolean").put("value", b);
    } else if (date != null) {
      // java.util.Date as Flowable's own "date"; the java.time values as "instant" (keeps milliseconds).
      v.put("type", value instanceof Date ? "date" : "instant").put("value", date.toString());
    } else if (value instanceof LocalDate d) {
      v.put("type", "localDate").put("value", d.toString());
    } else if (value instanceof LocalDateTime d) {
      v.put("type", "localDateTime").put("value", d.toString());
    } else if (value instanceof UUID u) {
      // Flowable's own uuid type comes back from the external job API as an unreadable
      // "serializable": a string survives the round trip.
      v.put("type", "string").put("value", u.toString());
    } else if (value instanceof Enum<?> e) {
      v.put("type", "string").put("value", e.name());
    } else if (value instanceof byte[]) {
      throw new VariableException("variable '" + name + "' is a byte[]: Flowable's external job REST"
          + " API has no binary variable type; send it Base64-encoded as a string", null);
    } else if (value instanceof io.polyworker.UnreadableValue u) {
      throw new VariableException("variable '" + name + "' holds an unreadable " + u.engineType()
          + " value that cannot be sent back", null);
    } else {
      v.put("type", "json").set("value", json(name, value));
    }
    return v;
  }

  private static void finite(String name, double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new VariableException("variable '" + name + "' is " + d + ", which JSON cannot carry", null);
    }
  }

  private static JsonNode json(String name, Object value) {
    if (value instanceof JsonNode node) {
      return node;
    }
    try {
      return Json.MAPPER.valueToTree(value);
    } catch (IllegalArgumentException e) {
      String kind = value instanceof Map || value instanceof Collection ? "collection"
          : value.getClass().getName();
      throw new VariableException("variable '" + name + "' (" + kind
          + ") cannot be written as JSON: " + e.getMessage(), e);
    }
  }
}
