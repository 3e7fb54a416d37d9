package io.polyworker.units.internal;

import io.polyworker.VariableException;
import io.polyworker.Variables;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A text with {@code {{name}}} placeholders filled from a job's variables. Parsed once, rendered
 * many times; immutable and thread-safe.
 *
 * <p>Syntax: {@code {{name}}} is the value of variable {@code name}; {@code {{order.id}}} walks into
 * a JSON object (a {@link Map}) by key, and a number walks into a list by index
 * ({@code {{items.0.sku}}}). Spaces inside the braces are ignored. A backslash before two opening
 * braces writes them literally. Two opening braces that do not form a placeholder are refused when
 * the template is parsed.
 *
 * <p>Rendering is strict: a variable that is absent, null, or not a plain value (a whole object, a
 * list, bytes) raises a {@link VariableException} naming the placeholder and the template, never
 * an empty string.
 */
public final class VariableTemplate {
  private static final String OPEN = "{{";
  private static final String CLOSE = "}}";

  private final String label;
  private final List<Object> parts;
  private final Set<String> variableNames;

  private VariableTemplate(String label, List<Object> parts, Set<String> variableNames) {
    this.label = label;
    this.parts = parts;
    this.variableNames = variableNames;
  }

  /**
   * Parses {@code text}.
   *
   * @param label names the template in error messages, such as {@code subject}
   * @throws IllegalArgumentException naming the template and position of a malformed placeholder
   */
  public static VariableTemplate parse(String label, String text) {
    List<Object> parts = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("\\" + OPEN, i)) {
        literal.append(OPEN);
        i += 3;
        continue;
      }
      if (!text.startsWith(OPEN, i)) {
        literal.append(text.charAt(i++));
        continue;
      }
      int end = text.indexOf(CLOSE, i + OPEN.length());
      if (end < 0) {
        throw new IllegalArgumentException(label + " template: '{{' at position " + i
            + " is never closed with '}}' (write \\{{ for a literal '{{')");
      }
      List<String> path = path(text.substring(i + OPEN.length(), end).strip(), label, i);
      if (literal.length() > 0) {
        parts.add(literal.toString());
        literal.setLength(0);
      }
      parts.add(new Placeholder(path));
      names.add(path.get(0));
      i = end + CLOSE.length();
    }
    if (literal.length() > 0) {
      parts.add(literal.toString());
    }
    return new VariableTemplate(label, List.copyOf(parts),
        Collections.unmodifiableSet(names));
  }

  private static List<String> path(String inner, String label, int position) {
    String[] segments = inner.split("\\.", -1);
    for (String segment : segments) {
      if (segment.isEmpty() || !segment.codePoints().allMatch(VariableTemplate::isNameChar)) {
        throw new IllegalArgumentException(label + " template: '{{" + inner + "}}' at position "
            + position + " is not a variable name or a dotted path such as {{order.id}}");
      }
    }
    return List.of(segments);
  }

  private static boolean isNameChar(int c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '$';
  }

  /** The names of the variables the template reads (the first segment of each placeholder). */
  public Set<String> variableNames() {
    return variableNames;
  }

  /**
   * Fills the placeholders.
   *
   * @param escape applied to every value (not to the literal text), such as {@link #html(String)}
   * @throws VariableException naming the placeholder and the template when a value is missing
   */
  public String render(Variables variables, UnaryOperator<String> escape) {
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof Placeholder p) {
        out.append(escape.apply(format(p.path, variables)));
      } else {
        out.append((String) part);
      }
    }
    return out.toString();
  }

  private String format(List<String> path, Variables variables) {
    String name = path.get(0);
    if (!variables.contains(name)) {
      throw missing(path, "variable '" + name + "' is not set (or was not fetched with the job)");
    }
    Object value = variables.get(name);
    for (int depth = 1; depth < path.size() && value != null; depth++) {
      String segment = path.get(depth);
      String at = String.join(".", path.subList(0, depth));
      if (value instanceof Map<?, ?> map) {
        if (!map.containsKey(segment)) {
          throw missing(path, "'" + at + "' has no field '" + segment + "'");
        }
        value = map.get(segment);
      } else if (value instanceof List<?> list) {
        int index = index(segment);
        if (index < 0 || index >= list.size()) {
          throw missing(path, "'" + at + "' is a list of " + list.size() + " and has no element '"
              + segment + "'");
        }
        value = list.get(index);
      } else {
        throw missing(path, "'" + at + "' is a " + kind(value) + ", not an object or a list");
      }
    }
    if (value == null) {
      throw missing(path, "the value is null");
    }
    String text = plain(value);
    if (text == null) {
      throw missing(path, "the value is a " + kind(value)
          + ", not a plain value; name one of its fields with a dotted path");
    }
    return text;
  }

  private VariableException missing(List<String> path, String why) {
    return new VariableException(label + " template: {{" + String.join(".", path)
        + "}} cannot be filled: " + why, null);
  }

  private static int index(String segment) {
    try {
      return Integer.parseInt(segment);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String kind(Object value) {
    if (value instanceof Map) {
      return "object";
    }
    if (value instanceof List) {
      return "list";
    }
    return value.getClass().getSimpleName();
  }

  /** The text of a plain value, or null for anything else. */
  private static @Nullable String plain(Object value) {
    if (value instanceof CharSequence || value instanceof Boolean || value instanceof Character
        || value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte || value instanceof BigInteger || value instanceof UUID
        || value instanceof Enum || value instanceof TemporalAccessor) {
      return value.toString();
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      return Double.isFinite(d)
          ? new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString()
          : Double.toString(d);
    }
    if (value instanceof Date date) {
      return date.toInstant().toString();
    }
    return null;
  }

  /** Escapes {@code & < > " '} for HTML text and attribute values. */
  public static String html(String value) {
    StringBuilder out = new StringBuilder(value.length() + 16);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return "VariableTemplate[" + label + ", variables=" + variableNames + "]";
  }

  private record Placeholder(List<String> path) {}
}
