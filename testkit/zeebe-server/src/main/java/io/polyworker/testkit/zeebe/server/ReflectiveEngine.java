package io.polyworker.testkit.zeebe.server;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The in-memory Zeebe engine of {@code io.camunda:zeebe-process-test-engine}, driven by reflection.
 *
 * <p>Why reflection: the engine jars are Java 21 class files (major version 65), and this build compiles
 * with {@code --release 17}, whose javac refuses to read them. So nothing here names an engine type at
 * compile time; the child JVM that runs this class is Java 21+ and loads them normally. The entry points
 * used, checked with {@code javap} against 8.8.21:
 * <pre>
 * io.camunda.zeebe.process.test.engine.EngineFactory
 *     public static ZeebeTestEngine create(int port)    // builds the gateway with ServerBuilder.forPort(port)
 * io.camunda.zeebe.process.test.api.ZeebeTestEngine    // interface; the implementation class is not public
 *     void start()  void stop()  String getGatewayAddress()  void increaseTime(Duration)
 *     RecordStreamSource getRecordStreamSource()
 * io.camunda.zeebe.process.test.api.RecordStreamSource
 *     Iterable&lt;Record&lt;?&gt;&gt; getRecords()               // the whole log so far, oldest first
 * io.camunda.zeebe.protocol.record.JsonSerializable    // super-interface of Record
 *     String toJson()
 * </pre>
 * Methods are always looked up on those public interfaces, never on the (non-public) implementation
 * classes, so the calls pass the module system's access checks without any {@code --add-opens}.
 *
 * <p>Thread-safety: {@code getRecords()} appends new records to a list it then hands out as an unmodifiable
 * view, so reading the records races with the next reader; {@link #forEachRecordJson} serialises readers.
 */
final class ReflectiveEngine {

  private static final String ENGINE_FACTORY = "io.camunda.zeebe.process.test.engine.EngineFactory";
  private static final String TEST_ENGINE = "io.camunda.zeebe.process.test.api.ZeebeTestEngine";
  private static final String RECORD_STREAM_SOURCE = "io.camunda.zeebe.process.test.api.RecordStreamSource";
  private static final String JSON_SERIALIZABLE = "io.camunda.zeebe.protocol.record.JsonSerializable";

  private final Object engine;
  private final Method start;
  private final Method stop;
  private final Method gatewayAddress;
  private final Method increaseTime;
  private final Method recordStreamSource;
  private final Method records;
  private final Method toJson;
  private final Object recordsLock = new Object();

  private ReflectiveEngine(Object engine) throws ReflectiveOperationException {
    ClassLoader loader = ReflectiveEngine.class.getClassLoader();
    Class<?> testEngine = Class.forName(TEST_ENGINE, true, loader);
    this.engine = engine;
    this.start = testEngine.getMethod("start");
    this.stop = testEngine.getMethod("stop");
    this.gatewayAddress = testEngine.getMethod("getGatewayAddress");
    this.increaseTime = testEngine.getMethod("increaseTime", Duration.class);
    this.recordStreamSource = testEngine.getMethod("getRecordStreamSource");
    this.records = Class.forName(RECORD_STREAM_SOURCE, true, loader).getMethod("getRecords");
    this.toJson = Class.forName(JSON_SERIALIZABLE, true, loader).getMethod("toJson");
  }

  /**
   * {@code EngineFactory.create(port)}: builds the engine, its gateway on {@code port} (not yet bound) and
   * starts its actor scheduler threads. Call {@link #stop()} even if {@link #start()} then fails.
   */
  static ReflectiveEngine create(int port) {
    try {
      Class<?> factory = Class.forName(ENGINE_FACTORY, true, ReflectiveEngine.class.getClassLoader());
      Object engine = factory.getMethod("create", int.class).invoke(null, port);
      return new ReflectiveEngine(Objects.requireNonNull(engine, "EngineFactory.create returned null"));
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("zeebe-process-test-engine is not on the classpath: run the exec jar", e);
    } catch (UnsupportedClassVersionError e) {
      throw new IllegalStateException("The Zeebe engine needs Java 21+; this JVM is "
          + Runtime.version().feature(), e);
    } catch (ReflectiveOperationException e) {
      throw unwrap(e);
    }
  }

  /** Binds the gateway and opens the stream processor; throws if the port is taken. */
  void start() {
    invoke(start);
  }

  /** Closes the gateway, the stream processor and the scheduler; waits for them. */
  void stop() {
    invoke(stop);
  }

  /** What the engine reports, e.g. {@code 0.0.0.0:26500} whatever address the gateway really binds. */
  String gatewayAddress() {
    return String.valueOf(invoke(gatewayAddress));
  }

  /** Moves the engine clock forward (timers, job timeouts, retry backoffs). */
  void increaseTime(Duration duration) {
    invoke(increaseTime, duration);
  }

  /**
   * Hands every record of the log from index {@code from} (0 = the first) to {@code sink} as one line of
   * JSON ({@code Record.toJson()}, line breaks flattened), oldest first.
   *
   * @return the number of records in the log when reading began
   */
  int forEachRecordJson(int from, Consumer<String> sink) {
    synchronized (recordsLock) {
      Object source = invoke(recordStreamSource);
      Iterable<?> all = (Iterable<?>) call(source, records);
      int index = 0;
      for (Object record : all) {
        if (index++ >= from) {
          String json = String.valueOf(call(record, toJson));
          // JSON strings escape their own line breaks, so the raw ones are indentation only.
          sink.accept(json.indexOf('\n') < 0 && json.indexOf('\r') < 0 ? json : json.replaceAll("[\r\n]+\\s*", " "));
        }
      }
      return index;
    }
  }

  private Object invoke(Method method, Object... args) {
    return call(engine, method, args);
  }

  private static Object call(Object target, Method method, Object... args) {
    try {
      return method.invoke(target, args);
    } catch (ReflectiveOperationException e) {
      throw unwrap(e);
    }
  }

  private static RuntimeException unwrap(ReflectiveOperationException e) {
    Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
    if (cause instanceof RuntimeException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return new IllegalStateException("Zeebe engine call failed: " + cause, cause);
  }
}
