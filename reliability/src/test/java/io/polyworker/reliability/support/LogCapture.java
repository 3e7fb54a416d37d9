package io.polyworker.reliability.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Captures everything written to {@code System.out} and {@code System.err} while open (slf4j-simple
 * writes to {@code System.err} as it is at each call), still passing it through.
 */
public final class LogCapture implements AutoCloseable {
  private final PrintStream out = System.out;
  private final PrintStream err = System.err;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  public LogCapture() {
    System.setOut(new PrintStream(new Tee(out, bytes), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(err, bytes), true, StandardCharsets.UTF_8));
  }

  /** Everything captured so far. */
  public String text() {
    synchronized (bytes) {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    System.setOut(out);
    System.setErr(err);
  }

  /** A random secret with a recognisable prefix. */
  public static String secret(String prefix) {
    byte[] b = new byte[8];
    new SecureRandom().nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }

  /** The full stack trace of {@code t}, with causes and suppressed exceptions. */
  public static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final ByteArrayOutputStream b;

    Tee(OutputStream a, ByteArrayOutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      synchronized (b) {
        b.write(c);
      }
      a.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      synchronized (b) {
        b.write(buf, off, len);
      }
      a.write(buf, off, len);
    }
  }
}
