package io.polyworker.camunda.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyworker.MalformedAnswerException;
import io.polyworker.UnreadableValue;
import io.polyworker.VariableException;
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.internal.Instants;
import io.polyworker.internal.Json;
import io.polyworker.support.internal.Dates;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Camunda's typed variables ({@code {"type":"Integer","value":42,"valueInfo":{}}}) to plain Java and
 * back. Object values are read only in their JSON form and parsed as JSON trees; Java-serialized
 * values are never decoded.
 *
 * <p>A {@code BigDecimal} is refused: Camunda 7 has no decimal type, and neither way to store one
 * keeps it. As a Double it loses digits and scale; as a JSON {@code Object} value of type
 * {@code java.math.BigDecimal} Spin reads it back through a double as soon as the engine touches it
 * (measured on 7.24: 12345678901234567890.10 came back as 1.2345678901234567E+19).
 */
final class CamundaVariables {
  static final String JAVA_SERIALIZED = "application/x-java-serialized-object";
  /** Camunda writes dates as {@code 2026-11-21T18:55:41.656+0000}. */
  static final DateTimeFormatter DATE_OUT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

  private CamundaVariables() {}

  /** Decodes a {@code {name: typedValue}} object; a missing or null object is no variables. */
  static Map<String, @Nullable Object> decodeAll(String operation, @Nullable JsonNode variables) {
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    if (variables == null || variables.isNull() || variables.isMissingNode()) {
      return result;
    }
    if (!variables.isObject()) {
      throw new MalformedAnswerException(CamundaEngine.ID, operation, 200, variables.toString(),
          "variables is not an object", null);
    }
    Iterator<Map.Entry<String, JsonNode>> it = variables.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      result.put(e.getKey(), decode(operation, e.getKey(), e.getValue()));
    }
    return result;
  }

  /** Decodes one typed value; unknown or undecodable types become {@link UnreadableValue}s. */
  static @Nullable Object decode(String operation, String name, JsonNode typed) {
    // One odd variable must not poison the job, or the batch fetched with it: it becomes an
    // unreadable value, and reading it raises a VariableException naming it and the reason.
    if (typed == null || !typed.isObject()) {
      return new UnreadableValue("(not a typed value)", "the engine sent " + excerpt(typed));
    }
    String type = typed.path("type").asText(null);
    JsonNode value = typed.get("value");
    if (type == null) {
      return new UnreadableValue("(no type)", "the engine sent no type: " + excerpt(typed));
    }
    if (value == null || value.isNull()) {
      if ("File".equals(type)) {
        return new UnreadableValue("File", "file variables are not fetched with jobs");
      }
      return null;
    }
    try {
      switch (type) {
        case "String":
        case "Xml":
          return text(value, name, type);
        case "Boolean":
          return requireType(value, value.isBoolean(), type).booleanValue();
        case "Integer":
          return requireType(value, value.isIntegralNumber() && value.canConvertToInt(), type).intValue();
        case "Long":
          return requireType(value, value.isIntegralNumber() && value.canConvertToLong(), type).longValue();
        case "Short":
          return (short) requireType(value, value.isIntegralNumber(), type).intValue();
        case "Double":
          if (value.isTextual()) {
            // Camunda writes the doubles JSON has no number for as strings.
            switch (value.asText()) {
              case "NaN": return Double.NaN;
              case "Infinity": return Double.POSITIVE_INFINITY;
              case "-Infinity": return Double.NEGATIVE_INFINITY;
              default: break;
            }
          }
          return requireType(value, value.isNumber(), type).doubleValue();
        case "Date":
          return Dates.parse(text(value, name, type));
        case "Null":
          return null;
        case "Bytes":
          return Base64.getDecoder().decode(text(value, name, type));
        case "Json":
          return parseJson(text(value, name, type));
        case "Object": {
          String format = typed.path("valueInfo").path("serializationDataFormat").asText("");
          if (JAVA_SERIALIZED.equals(format)) {
            return new UnreadableValue("Object (" + JAVA_SERIALIZED + ")",
                "Java-serialized engine data is never deserialized; store the value as JSON");
          }
          if (format.startsWith("application/json")) {
            return parseJson(text(value, name, type));
          }
          return new UnreadableValue("Object (" + format + ")",
              "only application/json objects are decoded");
        }
        case "File":
          return new UnreadableValue("File", "file variables are not fetched with jobs");
        default:
          return new UnreadableValue(type, "unknown Camunda variable type");
      }
    } catch (RuntimeException | JsonProcessingException e) {
      return new UnreadableValue(type, "the value does not match its type (" + e.getMessage()
          + "): " + excerpt(value));
    }
  }

  private static String excerpt(@Nullable JsonNode node) {
    String text = String.valueOf(node);
    return text.length() <= 100 ? text : text.substring(0, 100) + "…";
  }

  private static JsonNode requireType(JsonNode value, boolean ok, String type) {
    if (!ok) {
      throw new IllegalArgumentException("value does not match type " + type);
    }
    return value;
  }

  private static String text(JsonNode value, String name, String type) {
    if (!value.isTextual()) {
      throw new IllegalArgumentException("value is not a string");
    }
    return value.asText();
  }

  private static @Nullable Object parseJson(String json) throws JsonProcessingException {
    return Json.MAPPER.readValue(json, Object.class);
  }

  /** Encodes variables for complete, bpmnError and start. */
  static ObjectNode encodeAll(Map<String, ? extends @Nullable Object> variables) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    variables.forEach((name, value) -> out.set(name, encode(name, value)));
    return out;
  }

  static ObjectNode encode(String name, @Nullable Object value) {
    ObjectNode typed = JsonNodeFactory.instance.objectNode();
    Instant date = Instants.of(value);
    if (value == null) {
      typed.putNull("value");
      typed.put("type", "Null");
    } else if (value instanceof String s) {
      typed.put("value", s).put("type", "String");
    } else if (value instanceof Boolean b) {
      typed.put("value", b).put("type", "Boolean");
    } else if (value instanceof Integer i) {
      typed.put("value", i).put("type", "Integer");
    } else if (value instanceof Long l) {
      typed.put("value", l).put("type", "Long");
    } else if (value instanceof Short s) {
      typed.put("value", s).put("type", "Short");
    } else if (value instanceof Byte b) {
      typed.put("value", b.shortValue()).put("type", "Short");
    } else if (value instanceof Double d) {
      typed.put("value", d).put("type", "Double");
    } else if (value instanceof Float f) {
      typed.put("value", f.doubleValue()).put("type", "Double");
    } else if (value instanceof BigInteger bi && bi.bitLength() < 64) {
      typed.put("value", bi.longValue()).put("type", "Long");
    } else if (value instanceof BigDecimal) {
      throw new VariableException(CamundaEngine.ID, null, -1, null, "variable '" + name
          + "' is a BigDecimal: Camunda 7 has no decimal type, and both a Double and a JSON object"
          + " value would lose digits or scale; send it as a String (toPlainString()) or convert it"
          + " to a Double yourself", null);
    } else if (date != null) {
      typed.put("value", DATE_OUT.format(date.atOffset(ZoneOffset.UTC))).put("type", "Date");
    } else if (value instanceof byte[] bytes) {
      typed.put("value", Base64.getEncoder().encodeToString(bytes)).put("type", "Bytes");
    } else if (value instanceof Enum<?> e) {
      typed.put("value", e.name()).put("type", "String");
    } else {
      try {
        typed.put("value", Json.MAPPER.writeValueAsString(value)).put("type", "Json");
      } catch (JsonProcessingException | IllegalArgumentException e) {
        throw new VariableException("variable '" + name + "' (" + value.getClass().getName()
            + ") cannot be serialized as JSON: " + e.getMessage(), e);
      }
    }
    return typed;
  }
}
