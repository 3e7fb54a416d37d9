package io.polyworker;

import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Read-only, typed access to a job's variables, the same on every engine.
 *
 * <p>Values arrive as plain Java: {@link String}, {@link Boolean}, {@link Integer}, {@link Long},
 * {@link Short}, {@link Double}, {@link java.time.Instant} (dates), {@code byte[]}, {@code null}, and
 * JSON values as {@link Map} / {@link java.util.List} trees. {@link #get(String, Class)} converts
 * between compatible types (any number to any number type when no precision is lost, JSON trees to
 * POJOs through Jackson, dates to {@link java.util.Date} / {@link java.time.OffsetDateTime}).
 *
 * <p>Values the engine stores in a form that is never decoded (Java-serialized objects) are present
 * as {@link UnreadableValue}; reading them with {@code get} raises a {@link VariableException} naming
 * the variable. Thread-safe and immutable.
 */
public interface Variables {

  /** Whether a variable of that name was fetched (its value may still be null). */
  boolean contains(String name);

  /** The names of all fetched variables. */
  Set<String> names();

  /**
   * The raw value.
   *
   * @throws VariableException if the value cannot be read (see {@link UnreadableValue})
   */
  @Nullable Object get(String name);

  /**
   * The value converted to {@code type}; {@code null} when absent or null.
   *
   * @throws VariableException naming the variable when it cannot be read or converted
   */
  <T> @Nullable T get(String name, Class<T> type);

  /**
   * All variables bound to one object through Jackson (unknown properties ignored).
   *
   * @throws VariableException when the variables do not fit {@code type}
   */
  <T> T as(Class<T> type);

  /** An unmodifiable copy of all variables; unreadable ones appear as {@link UnreadableValue}. */
  Map<String, @Nullable Object> asMap();
}
