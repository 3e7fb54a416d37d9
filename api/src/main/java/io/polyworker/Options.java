package io.polyworker;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Argument checks shared by the option builders; messages name the option. */
final class Options {
  private Options() {}

  static Duration notNegative(@Nullable Duration v, String name) {
    if (v == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    if (v.isNegative()) {
      throw new IllegalArgumentException(name + " < 0: " + v);
    }
    return v;
  }

  static Duration positive(@Nullable Duration v, String name) {
    notNegative(v, name);
    if (v.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0");
    }
    return v;
  }

  static Duration atLeast(@Nullable Duration v, Duration min, String name) {
    positive(v, name);
    if (v.compareTo(min) < 0) {
      throw new IllegalArgumentException(name + " < " + min + ": " + v);
    }
    return v;
  }

  static int positive(int v, String name) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " < 1: " + v);
    }
    return v;
  }

  static @Nullable String blankToError(@Nullable String v, String name) {
    if (v != null && v.isBlank()) {
      throw new IllegalArgumentException(name + " is blank");
    }
    return v;
  }

  static String notBlank(@Nullable String v, String name) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(name + " is blank");
    }
    return v;
  }

  static List<String> names(List<String> v, String name) {
    for (String s : v) {
      if (s == null || s.isBlank()) {
        throw new IllegalArgumentException(name + " contains a blank name");
      }
    }
    return List.copyOf(v);
  }
}
