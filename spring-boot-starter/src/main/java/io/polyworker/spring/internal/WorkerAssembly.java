package io.polyworker.spring.internal;

import io.polyworker.PolyworkerException;
import io.polyworker.ProcessClient;
import io.polyworker.Concurrency;
import io.polyworker.SubscriptionOptions;
import io.polyworker.engine.Engine;
import io.polyworker.engine.EngineConfig;
import io.polyworker.engine.Engines;
import io.polyworker.spring.JobSubscription;
import io.polyworker.spring.JobWorkerCustomizer;
import io.polyworker.spring.PolyworkerProperties;
import io.polyworker.spring.internal.HandlerRegistrations.Registration;
import io.polyworker.worker.JobWorker;
import io.polyworker.worker.WorkerPlugin;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.Environment;

/**
 * Builds the engine and the worker from the properties, the handlers and the extensions. Every
 * value goes through the public builders, whose checks are the only ones: a value they refuse fails
 * the start with the property (or the annotation attribute) that gave it.
 */
public final class WorkerAssembly {

  private WorkerAssembly() {}

  /** The engine the properties describe (one engine: polyworker.engine). */
  public static Engine engine(PolyworkerProperties p) {
    if (multiEngine(p)) {
      throw bothSet(p);
    }
    if (p.getEngine() == null || p.getEngine().isBlank()) {
      throw new InvalidConfigurationPropertyValueException("polyworker.engine", null,
          "no engine is selected: set it to camunda, flowable or zeebe (environment variable POLYWORKER_ENGINE)");
    }
    return Engines.fromConfig(EngineConfig.fromMap(engineSettings(p)));
  }

  /** Whether the properties list several engines (polyworker.engines). */
  public static boolean multiEngine(PolyworkerProperties p) {
    return !p.getEngines().isEmpty();
  }

  /**
   * The engines of polyworker.engines, in the order listed, as {@link Engines#allFromConfig} makes
   * them from each engine's block.
   *
   * @throws InvalidConfigurationPropertyValueException naming polyworker.engine when it is set too,
   *     or polyworker.engines when an id is listed twice or blank
   */
  public static List<Engine> engines(PolyworkerProperties p) {
    if (p.getEngine() != null && !p.getEngine().isBlank()) {
      throw bothSet(p);
    }
    EngineConfig config = EngineConfig.fromMap(engineSettings(p));
    try {
      config.engines();
    } catch (PolyworkerException e) {
      throw new InvalidConfigurationPropertyValueException(EngineConfig.ENGINES,
          String.join(",", p.getEngines()), e.getMessage());
    }
    if (config.engines().isEmpty()) {
      throw new InvalidConfigurationPropertyValueException(EngineConfig.ENGINES, "",
          "lists no engine: list engine ids such as camunda,zeebe, or remove it and set polyworker.engine");
    }
    return Engines.allFromConfig(config);
  }

  private static InvalidConfigurationPropertyValueException bothSet(PolyworkerProperties p) {
    return new InvalidConfigurationPropertyValueException(EngineConfig.ENGINE, p.getEngine(),
        "polyworker.engine and polyworker.engines are both set: remove polyworker.engine to run on the"
            + " engines listed in polyworker.engines (" + String.join(",", p.getEngines())
            + "), or remove polyworker.engines to run on one engine");
  }

  /** The properties as {@link EngineConfig} keys (secrets included: never log this map). */
  static Map<String, String> engineSettings(PolyworkerProperties p) {
    Map<String, String> m = new LinkedHashMap<>();
    put(m, EngineConfig.ENGINE, p.getEngine());
    if (!p.getEngines().isEmpty()) {
      put(m, EngineConfig.ENGINES, String.join(",", p.getEngines()));
    }
    put(m, EngineConfig.URL, p.getUrl());
    put(m, EngineConfig.AUTH, p.getAuth());
    put(m, EngineConfig.USERNAME, p.getUsername());
    put(m, EngineConfig.PASSWORD, p.getPassword());
    put(m, EngineConfig.TOKEN, p.getToken());
    PolyworkerProperties.OAuth o = p.getOauth();
    put(m, EngineConfig.OAUTH_TOKEN_URL, o.getTokenUrl());
    put(m, EngineConfig.OAUTH_CLIENT_ID, o.getClientId());
    put(m, EngineConfig.OAUTH_CLIENT_SECRET, o.getClientSecret());
    put(m, EngineConfig.OAUTH_AUDIENCE, o.getAudience());
    put(m, EngineConfig.OAUTH_SCOPE, o.getScope());
    putConnection(m, "camunda", p.getCamunda());
    putConnection(m, "flowable", p.getFlowable());
    putConnection(m, "zeebe", p.getZeebe());
    PolyworkerProperties.Zeebe z = p.getZeebe();
    put(m, "polyworker.zeebe.plaintext", z.getPlaintext());
    put(m, "polyworker.zeebe.ca-certificate-path", z.getCaCertificatePath());
    put(m, "polyworker.zeebe.streaming", z.getStreaming());
    put(m, "polyworker.zeebe.long-polling", z.getLongPolling());
    put(m, "polyworker.zeebe.request-timeout", z.getRequestTimeout());
    PolyworkerProperties.Flowable f = p.getFlowable();
    put(m, "polyworker.flowable.process-api-path", f.getProcessApiPath());
    put(m, "polyworker.flowable.external-job-api-path", f.getExternalJobApiPath());
    return m;
  }

  /** One engine's block as its per-engine keys (polyworker.zeebe.url, ...), read only with polyworker.engines. */
  private static void putConnection(Map<String, String> m, String id, PolyworkerProperties.EngineConnection c) {
    put(m, EngineConfig.perEngineKey(id, EngineConfig.URL), c.getUrl());
    put(m, EngineConfig.perEngineKey(id, EngineConfig.AUTH), c.getAuth());
    put(m, EngineConfig.perEngineKey(id, EngineConfig.USERNAME), c.getUsername());
    put(m, EngineConfig.perEngineKey(id, EngineConfig.PASSWORD), c.getPassword());
    put(m, EngineConfig.perEngineKey(id, EngineConfig.TOKEN), c.getToken());
    PolyworkerProperties.OAuth o = c.getOauth();
    put(m, EngineConfig.perEngineKey(id, EngineConfig.OAUTH_TOKEN_URL), o.getTokenUrl());
    put(m, EngineConfig.perEngineKey(id, EngineConfig.OAUTH_CLIENT_ID), o.getClientId());
    put(m, EngineConfig.perEngineKey(id, EngineConfig.OAUTH_CLIENT_SECRET), o.getClientSecret());
    put(m, EngineConfig.perEngineKey(id, EngineConfig.OAUTH_AUDIENCE), o.getAudience());
    put(m, EngineConfig.perEngineKey(id, EngineConfig.OAUTH_SCOPE), o.getScope());
  }

  private static void put(Map<String, String> m, String key, @Nullable Object value) {
    if (value != null) {
      m.put(key, value.toString());
    }
  }

  /** Wraps the process client the application gets (tracing writes the trace context into processes). */
  @FunctionalInterface
  public interface ProcessClientDecorator {
    /** The client to use instead of {@code client}. */
    ProcessClient decorate(ProcessClient client);
  }

  /**
   * The worker, or null when no handler is registered (a context that only starts processes): the
   * handlers with their options, then every plugin, then every customizer.
   *
   * @throws PolyworkerException or {@link InvalidConfigurationPropertyValueException} naming the culprit
   */
  public static @Nullable JobWorker worker(List<Engine> engines, PolyworkerProperties p, Environment environment,
      List<Registration> registrations, List<WorkerPlugin> plugins, List<JobWorkerCustomizer> customizers) {
    checkSubscriptionKeys(p, registrations);
    PolyworkerProperties.Worker w = p.getWorker();
    // JobWorker.builder(engine) is builder(List.of(engine)): one engine behaves as it always did.
    JobWorker.Builder builder = JobWorker.builder(engines);
    if (w.getId() != null) {
      apply("polyworker.worker.id", w.getId(), () -> builder.workerId(w.getId()));
    }
    apply("polyworker.worker.drain-timeout", w.getDrainTimeout(), () -> builder.drainTimeout(w.getDrainTimeout()));
    plugins.forEach(builder::plugin);
    int subscribed = 0;
    for (Registration r : registrations) {
      PolyworkerProperties.Subscription override = p.getSubscriptions().get(r.topic());
      if (override != null && !override.isEnabled()) {
        continue;
      }
      builder.subscribe(r.topic(), r.handler(), options(r, w, override, environment, ids(engines)));
      subscribed++;
    }
    customizers.forEach(c -> c.customize(builder));
    JobWorker worker;
    try {
      worker = builder.build();
    } catch (IllegalStateException noSubscription) {
      if (subscribed == 0) {
        return null;
      }
      throw noSubscription;
    } catch (IllegalArgumentException e) {
      throw new PolyworkerException("the job worker cannot be built on "
          + (engines.size() == 1 ? "engine " : "engines ")
          + String.join(", ", engines.stream().map(Engine::id).toList()) + ": " + e.getMessage(), e);
    }
    return worker;
  }

  /** A key under polyworker.subscriptions that names no handler's topic is a typo: say so. */
  private static void checkSubscriptionKeys(PolyworkerProperties p, List<Registration> registrations) {
    Set<String> topics = new TreeSet<>();
    registrations.forEach(r -> topics.add(r.topic()));
    for (String key : p.getSubscriptions().keySet()) {
      if (!topics.contains(key)) {
        throw new InvalidConfigurationPropertyValueException("polyworker.subscriptions." + key, key,
            "no @JobSubscription method or handler bean subscribes to topic '" + key + "'; their topics are "
                + topics + " (a topic with dots is written polyworker.subscriptions.[a.b].…; a subscription a "
                + "JobWorkerCustomizer adds takes its options in code)");
      }
    }
  }

  private static List<String> ids(List<Engine> engines) {
    return engines.stream().map(Engine::id).toList();
  }

  private static SubscriptionOptions options(Registration r, PolyworkerProperties.Worker w,
      PolyworkerProperties.@Nullable Subscription s, Environment environment, List<String> engineIds) {
    SubscriptionOptions.Builder b = SubscriptionOptions.builder();
    String prefix = "polyworker.worker.";
    setIf(prefix + "max-concurrent-jobs", w.getMaxConcurrentJobs(), b::maxConcurrentJobs);
    adaptive(prefix, w.getMaxConcurrentJobs(), w.getAdaptiveConcurrency(), b);
    setIf(prefix + "max-jobs-per-fetch", w.getMaxJobsPerFetch(), b::maxJobsPerFetch);
    setIf(prefix + "lock-duration", w.getLockDuration(), b::lockDuration);
    setIf(prefix + "long-poll-timeout", w.getLongPollTimeout(), b::longPollTimeout);

    JobSubscription a = r.annotation();
    if (a != null) {
      applyAnnotation(r, a, b, environment, engineIds);
    }
    if (s != null) {
      String key = "polyworker.subscriptions." + r.topic() + ".";
      setIf(key + "max-concurrent-jobs", s.getMaxConcurrentJobs(), b::maxConcurrentJobs);
      adaptive(key, s.getMaxConcurrentJobs(), s.getAdaptiveConcurrency(), b);
      setIf(key + "max-jobs-per-fetch", s.getMaxJobsPerFetch(), b::maxJobsPerFetch);
      setIf(key + "lock-duration", s.getLockDuration(), b::lockDuration);
      setIf(key + "long-poll-timeout", s.getLongPollTimeout(), b::longPollTimeout);
      setIf(key + "variables", s.getVariables(), b::variables);
      if (s.getEngines() != null) {
        String unknown = unknownEngine(s.getEngines(), engineIds);
        if (unknown != null) {
          throw new InvalidConfigurationPropertyValueException(key + "engines", String.join(",", s.getEngines()),
              "names the engine '" + unknown + "', but the engines are " + engineIds);
        }
      }
      setIf(key + "engines", s.getEngines(), ids -> b.engines(ids.toArray(String[]::new)));
      setIf(key + "max-concurrent-jobs-per-engine", s.getMaxConcurrentJobsPerEngine(),
          b::maxConcurrentJobsPerEngine);
    }
    return b.build();
  }

  /** {@code <prefix>adaptive-concurrency.min/max}: an adaptive limit, refused next to max-concurrent-jobs. */
  private static void adaptive(String prefix, @Nullable Integer fixed,
      PolyworkerProperties.AdaptiveConcurrency a, SubscriptionOptions.Builder b) {
    if (!a.isSet()) {
      return;
    }
    String key = prefix + "adaptive-concurrency";
    if (fixed != null) {
      throw new InvalidConfigurationPropertyValueException(key, a.toString(),
          "cannot be set together with " + prefix + "max-concurrent-jobs (" + fixed + "): choose one");
    }
    if (a.getMax() == null) {
      throw new InvalidConfigurationPropertyValueException(key + ".max", null,
          "is needed with " + key + ".min: the adaptive limit's ceiling");
    }
    int min = a.getMin() == null ? 1 : a.getMin();
    apply(key, a.toString(), () -> b.maxConcurrentJobs(Concurrency.adaptive(min, a.getMax())));
  }

  private static @Nullable String unknownEngine(List<String> named, List<String> engineIds) {
    for (String id : named) {
      if (!engineIds.contains(id)) {
        return id;
      }
    }
    return null;
  }

  private static void applyAnnotation(Registration r, JobSubscription a, SubscriptionOptions.Builder b,
      Environment environment, List<String> engineIds) {
    String on = "@JobSubscription on " + r.source() + ": ";
    annotated(on + "maxConcurrentJobs", a.maxConcurrentJobs() == -1 ? null : a.maxConcurrentJobs(),
        b::maxConcurrentJobs);
    annotated(on + "maxJobsPerFetch", a.maxJobsPerFetch() == -1 ? null : a.maxJobsPerFetch(), b::maxJobsPerFetch);
    annotated(on + "defaultRetries", a.defaultRetries() == -1 ? null : a.defaultRetries(), b::defaultRetries);
    annotated(on + "lockDuration", duration(a.lockDuration(), on + "lockDuration", environment), b::lockDuration);
    annotated(on + "longPollTimeout", duration(a.longPollTimeout(), on + "longPollTimeout", environment),
        b::longPollTimeout);
    annotated(on + "retryBackoff", duration(a.retryBackoff(), on + "retryBackoff", environment), b::retryBackoff);
    if (a.variables().length > 0) {
      List<String> names = Arrays.stream(a.variables()).map(environment::resolveRequiredPlaceholders).toList();
      annotated(on + "variables", names, b::variables);
    }
    if (a.engines().length > 0) {
      String[] ids = Arrays.stream(a.engines()).map(environment::resolveRequiredPlaceholders).toArray(String[]::new);
      String unknown = unknownEngine(Arrays.asList(ids), engineIds);
      if (unknown != null) {
        throw new PolyworkerException(on + "engines names the engine '" + unknown + "', but the engines are "
            + engineIds);
      }
      annotated(on + "engines", Arrays.asList(ids), list -> b.engines(ids));
    }
  }

  private static @Nullable Duration duration(String text, String where, Environment environment) {
    String resolved = environment.resolveRequiredPlaceholders(text).strip();
    if (resolved.isEmpty()) {
      return null;
    }
    try {
      return DurationStyle.detectAndParse(resolved);
    } catch (IllegalArgumentException e) {
      throw new PolyworkerException(where + " = \"" + text + "\" is not a duration (write 30s, 5m or PT30S)");
    }
  }

  /** Sets a property's value through the builder; the builder's refusal names the property. */
  private static <T> void setIf(String property, @Nullable T value, Consumer<T> setter) {
    if (value != null) {
      apply(property, value, () -> setter.accept(value));
    }
  }

  /** Sets an annotation's value through the builder; the builder's refusal names the annotation and method. */
  private static <T> void annotated(String where, @Nullable T value, Consumer<T> setter) {
    if (value != null) {
      try {
        setter.accept(value);
      } catch (IllegalArgumentException e) {
        throw new PolyworkerException(where + " = " + value + " is refused: " + e.getMessage());
      }
    }
  }

  private static void apply(String property, Object value, Runnable set) {
    try {
      set.run();
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigurationPropertyValueException(property, value, e.getMessage());
    }
  }
}
