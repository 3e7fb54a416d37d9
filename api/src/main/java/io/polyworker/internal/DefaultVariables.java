package io.polyworker.internal;

import io.polyworker.UnreadableValue;
import io.polyworker.VariableException;
import io.polyworker.Variables;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Engine-neutral variables: the decoded map an engine client produced, with the conversions the
 * {@link Variables} contract promises. Numbers convert only when no precision is lost, so a
 * mistaken type shows up as an error instead of a silently wrong value.
 */
public final class DefaultVariables implements Variables {
  private static final DefaultVariables EMPTY = new DefaultVariables(Map.of());

  private final Map<String, @Nullable Object> values;

  private DefaultVariables(Map<String, @Nullable Object> values) {
    this.values = values;
  }

  public static DefaultVariables of(Map<String, @Nullable Object> values) {
    return values.isEmpty() ? EMPTY
        : new DefaultVariables(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
  }

  @Override
  public boolean contains(String name) {
    return values.containsKey(name);
  }

  @Override
  public Set<String> names() {
    return values.keySet();
  }

  @Override
  public @Nullable Object get(String name) {
    Object value = values.get(name);
    if (value instanceof UnreadableValue u) {
      throw unreadable(name, u);
    }
    return value;
  }

  @Override
  public <T> @Nullable T get(String name, Class<T> type) {
    Object value = get(name);
    if (value == null) {
      return null;
    }
    try {
      return convert(value, type);
    } catch (RuntimeException e) {
      throw new VariableException("variable '" + name + "' holds a " + value.getClass().getSimpleName()
          + " that cannot be read as " + type.getName() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public <T> T as(Class<T> type) {
    for (Map.Entry<String, @Nullable Object> e : values.entrySet()) {
      if (e.getValue() instanceof UnreadableValue u) {
        throw unreadable(e.getKey(), u);
      }
    }
    try {
      return Json.MAPPER.convertValue(values, type);
    } catch (IllegalArgumentException e) {
      throw new VariableException("variables cannot be read as " + type.getName() + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, @Nullable Object> asMap() {
    return values;
  }

  @Override
  public String toString() {
    return "Variables" + values.keySet();
  }

  private static VariableException unreadable(String name, UnreadableValue u) {
    return new VariableException("variable '" + name + "' is of type " + u.engineType()
        + " and is never decoded: " + u.reason(), null);
  }

  @SuppressWarnings("unchecked")
  static <T> T convert(Object value, Class<T> requested) {
    Class<T> type = (Class<T>) box(requested);
    if (type.isInstance(value)) {
      return type.cast(value);
    }
    if (value instanceof Number n && Number.class.isAssignableFrom(type)) {
      return type.cast(number(n, type));
    }
    Instant instant = instant(value);
    if (instant != null) {
      if (type == Instant.class) {
        return type.cast(instant);
      }
      if (type == Date.class) {
        return type.cast(Date.from(instant));
      }
      if (type == OffsetDateTime.class) {
        return type.cast(instant.atOffset(ZoneOffset.UTC));
      }
      if (type == ZonedDateTime.class) {
        return type.cast(instant.atZone(ZoneOffset.UTC));
      }
    }
    if (type == String.class) {
      if (value instanceof java.time.temporal.TemporalAccessor || value instanceof BigDecimal
          || value instanceof BigInteger || value instanceof java.util.UUID) {
        return type.cast(value.toString());
      }
      throw new IllegalArgumentException("not a string");
    }
    return Json.MAPPER.convertValue(value, type);
  }

  private static @Nullable Instant instant(Object value) {
    Instant date = Instants.of(value);
    if (date != null) {
      return date;
    }
    if (value instanceof String s && s.length() >= 10 && Character.isDigit(s.charAt(0))
        && s.indexOf('T') > 0) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  private static Object number(Number n, Class<?> type) {
    BigDecimal exact = n instanceof BigDecimal b ? b
        : n instanceof BigInteger bi ? new BigDecimal(bi)
        : (n instanceof Double || n instanceof Float) ? new BigDecimal(n.doubleValue())
        : BigDecimal.valueOf(n.longValue());
    try {
      if (type == Integer.class) {
        return exact.intValueExact();
      }
      if (type == Long.class) {
        return exact.longValueExact();
      }
      if (type == Short.class) {
        return exact.shortValueExact();
      }
      if (type == Byte.class) {
        return exact.byteValueExact();
      }
      if (type == BigInteger.class) {
        return exact.toBigIntegerExact();
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(n + " does not fit without loss");
    }
    if (type == Double.class) {
      double d = n.doubleValue();
      requireExact(n, exact, Double.isFinite(d) ? new BigDecimal(d) : null);
      return d;
    }
    if (type == Float.class) {
      float f = n.floatValue();
      requireExact(n, exact, Float.isFinite(f) ? new BigDecimal(f) : null);
      return f;
    }
    if (type == BigDecimal.class) {
      return exact;
    }
    if (type == Number.class) {
      return n;
    }
    throw new IllegalArgumentException("unsupported number type");
  }

  private static void requireExact(Number n, BigDecimal exact, @Nullable BigDecimal converted) {
    if (converted == null || converted.compareTo(exact) != 0) {
      throw new IllegalArgumentException(n + " does not fit without loss");
    }
  }

  private static Class<?> box(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    if (type == int.class) return Integer.class;
    if (type == long.class) return Long.class;
    if (type == boolean.class) return Boolean.class;
    if (type == double.class) return Double.class;
    if (type == short.class) return Short.class;
    if (type == float.class) return Float.class;
    if (type == byte.class) return Byte.class;
    if (type == char.class) return Character.class;
    return type;
  }
}
