package io.polyworker.spi;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The set of {@link Capability capabilities} an engine client has, and for each missing one a
 * sentence saying why (shown when a conformance contract is skipped and in runtime warnings).
 * Immutable.
 */
public final class EngineCapabilities {
  private final Set<Capability> present;
  private final Map<Capability, String> missing;

  private EngineCapabilities(Set<Capability> present, Map<Capability, String> missing) {
    this.present = Collections.unmodifiableSet(present);
    this.missing = Collections.unmodifiableMap(missing);
  }

  /** Starts a description in which nothing is supported yet. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether the capability is present. */
  public boolean has(Capability capability) {
    return present.contains(capability);
  }

  /** The capabilities present. */
  public Set<Capability> present() {
    return present;
  }

  /** Why the capability is missing, or null when it is present. */
  public @Nullable String whyMissing(Capability capability) {
    if (has(capability)) {
      return null;
    }
    return missing.getOrDefault(capability, capability + " is not supported by this engine");
  }

  @Override
  public String toString() {
    return "EngineCapabilities" + present;
  }

  /** Builds {@link EngineCapabilities}. */
  public static final class Builder {
    private final Set<Capability> present = EnumSet.noneOf(Capability.class);
    private final Map<Capability, String> missing = new EnumMap<>(Capability.class);

    private Builder() {}

    /** Marks capabilities as present. */
    public Builder with(Capability... capabilities) {
      for (Capability c : capabilities) {
        present.add(c);
        missing.remove(c);
      }
      return this;
    }

    /** Marks a capability as missing, with the reason in one sentence. */
    public Builder without(Capability capability, String reason) {
      present.remove(capability);
      missing.put(capability, reason);
      return this;
    }

    public EngineCapabilities build() {
      return new EngineCapabilities(EnumSet.copyOf(present), new EnumMap<>(missing));
    }
  }
}
