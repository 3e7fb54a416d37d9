package io.polyworker.spring;

import io.polyworker.ProcessClient;
import io.polyworker.engine.Engine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The engines of the application, by id: a bean the starter always makes. With
 * {@code polyworker.engines} ({@code camunda,zeebe}), every engine listed, in that order, created
 * from each engine's block ({@code polyworker.camunda.url}, ...); the starter's {@code JobWorker} runs
 * on all of them, and the context closes them when it closes. With {@code polyworker.engine}, the one
 * {@code Engine} bean (and the {@code ProcessClient} bean as its process client).
 *
 * <p>In a multi-engine context there is no {@code Engine} or {@code ProcessClient} bean unless you
 * define one: inject this and call {@link #get(String)} or {@link #processClient(String)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class PolyworkerEngines {

  private final Map<String, Engine> engines;
  private final Map<String, ProcessClient> processClients;

  private PolyworkerEngines(Map<String, Engine> engines, Map<String, ProcessClient> processClients) {
    this.engines = engines;
    this.processClients = processClients;
  }

  /**
   * The engines with their own process clients ({@link Engine#processClient()}).
   *
   * @throws IllegalArgumentException when the list is empty or two engines have the same id
   */
  public static PolyworkerEngines of(List<? extends Engine> engines) {
    return of(engines, Engine::processClient);
  }

  /**
   * The engines with the process client {@code processClients} gives for each (the starter's wraps
   * the engine's client, for example to write the trace context into the processes it starts).
   *
   * @throws IllegalArgumentException when the list is empty or two engines have the same id
   */
  public static PolyworkerEngines of(List<? extends Engine> engines,
      Function<? super Engine, ? extends ProcessClient> processClients) {
    if (engines.isEmpty()) {
      throw new IllegalArgumentException("engines is empty");
    }
    Map<String, Engine> byId = new LinkedHashMap<>();
    Map<String, ProcessClient> clients = new LinkedHashMap<>();
    for (Engine engine : engines) {
      String id = engine.id().toLowerCase(Locale.ROOT);
      if (byId.putIfAbsent(id, engine) != null) {
        throw new IllegalArgumentException("two engines have the id '" + id + "'");
      }
      clients.put(id, processClients.apply(engine));
    }
    return new PolyworkerEngines(byId, clients);
  }

  /** Every engine, in the order of {@code polyworker.engines}; immutable. */
  public List<Engine> all() {
    return List.copyOf(engines.values());
  }

  /** The engine ids, in the order of {@code polyworker.engines}; immutable. */
  public List<String> ids() {
    return List.copyOf(engines.keySet());
  }

  /**
   * The engine of that id ({@code camunda}, {@code zeebe}; case does not matter).
   *
   * @throws IllegalArgumentException naming the ids there are when there is no such engine
   */
  public Engine get(String id) {
    Engine engine = engines.get(id.toLowerCase(Locale.ROOT));
    if (engine == null) {
      throw unknown(id);
    }
    return engine;
  }

  /**
   * The process client of the engine of that id: the one the starter wraps (with tracing on, it
   * writes the trace context into the processes it starts).
   *
   * @throws IllegalArgumentException naming the ids there are when there is no such engine
   */
  public ProcessClient processClient(String id) {
    ProcessClient client = processClients.get(id.toLowerCase(Locale.ROOT));
    if (client == null) {
      throw unknown(id);
    }
    return client;
  }

  private IllegalArgumentException unknown(String id) {
    return new IllegalArgumentException("no engine '" + id + "': the engines are "
        + String.join(", ", engines.keySet()));
  }

  @Override
  public String toString() {
    return "PolyworkerEngines" + engines.keySet();
  }
}
