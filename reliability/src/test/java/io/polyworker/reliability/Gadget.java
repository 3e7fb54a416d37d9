package io.polyworker.reliability;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;

/**
 * A stand-in for a deserialization gadget: deserializing it runs code (here: it sets a flag). If
 * Polyworker ever Java-deserialized engine data, a variable holding this object would trip the flag.
 */
public final class Gadget implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Set when any instance is deserialized. */
  static volatile boolean triggered;

  String payload = "whoever writes variables runs code in the worker";

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    triggered = true;
  }
}
