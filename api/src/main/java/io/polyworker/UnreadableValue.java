package io.polyworker;

/**
 * Stands for a variable value that Polyworker never decodes, such as a Java-serialized object
 * ({@code application/x-java-serialized-object}): deserializing engine data would let whoever writes
 * variables run code in the worker. Store such values as JSON instead.
 *
 * @param engineType the engine's type name and format, e.g. {@code Object (application/x-java-serialized-object)}
 * @param reason why the value is not decoded
 */
public record UnreadableValue(String engineType, String reason) {
  @Override
  public String toString() {
    return "<unreadable " + engineType + ">";
  }
}
