package io.polyworker.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The starter's settings under {@code polyworker.*}. The engine keys are those of
 * {@link io.polyworker.engine.EngineConfig} (the same names without Spring); environment variables
 * work through Spring's relaxed binding ({@code POLYWORKER_ENGINE}, {@code POLYWORKER_URL},
 * {@code POLYWORKER_WORKER_MAX_CONCURRENT_JOBS}, ...). {@link #toString()} hides secrets.
 *
 * <p>One engine: {@code polyworker.engine} and the common keys ({@code polyworker.url}, ...). Several
 * engines (a migration): {@code polyworker.engines} and, per engine, the same keys in that engine's
 * block ({@code polyworker.camunda.url}, {@code polyworker.zeebe.oauth.client-id}, ...).
 */
@ConfigurationProperties(prefix = "polyworker")
public class PolyworkerProperties {

  /**
   * The engine: camunda (also Operaton and CIB seven), flowable or zeebe. Required, unless
   * polyworker.engines lists several engines.
   */
  private @Nullable String engine;

  /**
   * Several engines for one worker (a migration), such as camunda,zeebe; each engine's url, auth
   * and credentials then come from its block (polyworker.camunda.url, polyworker.zeebe.url, ...).
   * Default: none, one engine chosen by polyworker.engine; not together with polyworker.engine.
   */
  private List<String> engines = new ArrayList<>();

  /**
   * Camunda: the .../engine-rest URL; Flowable: the server root (with /process-api and
   * /external-job-api below it); Zeebe: the gRPC address such as http://localhost:26500. Required.
   */
  private @Nullable String url;

  /** none, basic, bearer or oauth2; default: basic with a username, bearer with a token, oauth2 with a client id, else none. */
  private @Nullable String auth;

  /** Basic-auth user name. */
  private @Nullable String username;

  /** Basic-auth password (never logged). */
  private @Nullable String password;

  /** Static bearer token (never logged). */
  private @Nullable String token;

  private final OAuth oauth = new OAuth();
  private final Camunda camunda = new Camunda();
  private final Zeebe zeebe = new Zeebe();
  private final Flowable flowable = new Flowable();
  private final Worker worker = new Worker();
  private final Health health = new Health();
  private final Metrics metrics = new Metrics();
  private final Tracing tracing = new Tracing();

  /** Per-topic overrides of the worker defaults and of the handlers' annotations, keyed by topic. */
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();

  public @Nullable String getEngine() { return engine; }
  public void setEngine(@Nullable String engine) { this.engine = engine; }
  public List<String> getEngines() { return engines; }
  public void setEngines(@Nullable List<String> engines) { this.engines = engines == null ? new ArrayList<>() : new ArrayList<>(engines); }
  public @Nullable String getUrl() { return url; }
  public void setUrl(@Nullable String url) { this.url = url; }
  public @Nullable String getAuth() { return auth; }
  public void setAuth(@Nullable String auth) { this.auth = auth; }
  public @Nullable String getUsername() { return username; }
  public void setUsername(@Nullable String username) { this.username = username; }
  public @Nullable String getPassword() { return password; }
  public void setPassword(@Nullable String password) { this.password = password; }
  public @Nullable String getToken() { return token; }
  public void setToken(@Nullable String token) { this.token = token; }
  public OAuth getOauth() { return oauth; }
  public Camunda getCamunda() { return camunda; }
  public Zeebe getZeebe() { return zeebe; }
  public Flowable getFlowable() { return flowable; }
  public Worker getWorker() { return worker; }
  public Health getHealth() { return health; }
  public Metrics getMetrics() { return metrics; }
  public Tracing getTracing() { return tracing; }
  public Map<String, Subscription> getSubscriptions() { return subscriptions; }

  @Override
  public String toString() {
    return "PolyworkerProperties{engine=" + engine + ", engines=" + engines + ", url=" + hideUserInfo(url)
        + ", auth=" + auth + ", username=" + username + ", password=" + mask(password) + ", token=" + mask(token)
        + ", oauth=" + oauth + ", camunda=" + camunda + ", flowable=" + flowable + ", zeebe=" + zeebe
        + ", worker=" + worker + ", subscriptions=" + subscriptions + "}";
  }

  static @Nullable String mask(@Nullable String secret) {
    return secret == null ? null : "****";
  }

  static @Nullable String hideUserInfo(@Nullable String url) {
    return url == null ? null : io.polyworker.engine.EngineConfig.withoutUserInfo(url);
  }

  /**
   * One engine's connection in a multi-engine configuration (polyworker.engines): the common keys,
   * read only when polyworker.engines is set, under the engine's id. {@link #toString()} hides secrets.
   */
  public abstract static class EngineConnection {
    /** This engine's URL when polyworker.engines lists it (as polyworker.url for one engine). */
    private @Nullable String url;
    /** This engine's auth type: none, basic, bearer or oauth2; default as for polyworker.auth. */
    private @Nullable String auth;
    /** This engine's basic-auth user name. */
    private @Nullable String username;
    /** This engine's basic-auth password (never logged). */
    private @Nullable String password;
    /** This engine's static bearer token (never logged). */
    private @Nullable String token;
    private final OAuth oauth = new OAuth();

    public @Nullable String getUrl() { return url; }
    public void setUrl(@Nullable String url) { this.url = url; }
    public @Nullable String getAuth() { return auth; }
    public void setAuth(@Nullable String auth) { this.auth = auth; }
    public @Nullable String getUsername() { return username; }
    public void setUsername(@Nullable String username) { this.username = username; }
    public @Nullable String getPassword() { return password; }
    public void setPassword(@Nullable String password) { this.password = password; }
    public @Nullable String getToken() { return token; }
    public void setToken(@Nullable String token) { this.token = token; }
    /** This engine's OAuth2 client credentials. */
    public OAuth getOauth() { return oauth; }

    /** The common keys as {@code name=value, } pairs, secrets masked. */
    String connectionToString() {
      return "url=" + hideUserInfo(url) + ", auth=" + auth + ", username=" + username + ", password="
          + mask(password) + ", token=" + mask(token) + ", oauth=" + oauth;
    }
  }

  /** Camunda 7 in a multi-engine configuration (polyworker.engines); see the engine-camunda README. */
  public static class Camunda extends EngineConnection {
    @Override
    public String toString() {
      return "{" + connectionToString() + "}";
    }
  }

  /** OAuth2 client credentials (Camunda 8 / Zeebe with identity, or a Camunda 7 / Flowable behind a gateway). */
  public static class OAuth {
    /** The token endpoint. */
    private @Nullable String tokenUrl;
    /** The client id. */
    private @Nullable String clientId;
    /** The client secret (never logged). */
    private @Nullable String clientSecret;
    /** The audience asked for, where the provider wants one. */
    private @Nullable String audience;
    /** The scope asked for, where the provider wants one. */
    private @Nullable String scope;

    public @Nullable String getTokenUrl() { return tokenUrl; }
    public void setTokenUrl(@Nullable String tokenUrl) { this.tokenUrl = tokenUrl; }
    public @Nullable String getClientId() { return clientId; }
    public void setClientId(@Nullable String clientId) { this.clientId = clientId; }
    public @Nullable String getClientSecret() { return clientSecret; }
    public void setClientSecret(@Nullable String clientSecret) { this.clientSecret = clientSecret; }
    public @Nullable String getAudience() { return audience; }
    public void setAudience(@Nullable String audience) { this.audience = audience; }
    public @Nullable String getScope() { return scope; }
    public void setScope(@Nullable String scope) { this.scope = scope; }

    @Override
    public String toString() {
      return "{tokenUrl=" + tokenUrl + ", clientId=" + clientId + ", clientSecret=" + mask(clientSecret)
          + ", audience=" + audience + ", scope=" + scope + "}";
    }
  }

  /**
   * Zeebe-only settings (for one engine and for several), and Zeebe's connection in a multi-engine
   * configuration; see the engine-zeebe README.
   */
  public static class Zeebe extends EngineConnection {
    /** Plain-text gRPC (no TLS); default: plain text for http:// addresses, TLS for https://. */
    private @Nullable Boolean plaintext;
    /** A PEM file of the CA that signed the gateway's certificate. */
    private @Nullable String caCertificatePath;
    /** Job streaming (the gateway pushes jobs); default true. */
    private @Nullable Boolean streaming;
    /** Long polling of job activation (besides streaming); default false. */
    private @Nullable Boolean longPolling;
    /** The gRPC request timeout; default 10s. */
    private @Nullable Duration requestTimeout;

    public @Nullable Boolean getPlaintext() { return plaintext; }
    public void setPlaintext(@Nullable Boolean plaintext) { this.plaintext = plaintext; }
    public @Nullable String getCaCertificatePath() { return caCertificatePath; }
    public void setCaCertificatePath(@Nullable String caCertificatePath) { this.caCertificatePath = caCertificatePath; }
    public @Nullable Boolean getStreaming() { return streaming; }
    public void setStreaming(@Nullable Boolean streaming) { this.streaming = streaming; }
    public @Nullable Boolean getLongPolling() { return longPolling; }
    public void setLongPolling(@Nullable Boolean longPolling) { this.longPolling = longPolling; }
    public @Nullable Duration getRequestTimeout() { return requestTimeout; }
    public void setRequestTimeout(@Nullable Duration requestTimeout) { this.requestTimeout = requestTimeout; }

    @Override
    public String toString() {
      return "{" + connectionToString() + ", plaintext=" + plaintext + ", caCertificatePath=" + caCertificatePath
          + ", streaming=" + streaming + ", longPolling=" + longPolling + ", requestTimeout=" + requestTimeout + "}";
    }
  }

  /**
   * Flowable-only settings (for one engine and for several), and Flowable's connection in a
   * multi-engine configuration; see the engine-flowable README.
   */
  public static class Flowable extends EngineConnection {
    /** The path of the process REST API below the URL; default /process-api. */
    private @Nullable String processApiPath;
    /** The path of the external-job REST API below the URL; default /external-job-api. */
    private @Nullable String externalJobApiPath;

    public @Nullable String getProcessApiPath() { return processApiPath; }
    public void setProcessApiPath(@Nullable String processApiPath) { this.processApiPath = processApiPath; }
    public @Nullable String getExternalJobApiPath() { return externalJobApiPath; }
    public void setExternalJobApiPath(@Nullable String externalJobApiPath) { this.externalJobApiPath = externalJobApiPath; }

    @Override
    public String toString() {
      return "{" + connectionToString() + ", processApiPath=" + processApiPath + ", externalJobApiPath="
          + externalJobApiPath + "}";
    }
  }

  /** The worker and the defaults of every subscription. */
  public static class Worker {
    /** The worker id sent to the engine; default: the host name and 8 random hex digits. */
    private @Nullable String id;
    /** Whether the worker starts with the context; false builds it but leaves starting to you. */
    private boolean autoStartup = true;
    /**
     * How long shutdown waits for running handlers before interrupting them (unstarted jobs are
     * released at once). Keep it at least 10s below spring.lifecycle.timeout-per-shutdown-phase
     * (30s): after the deadline the runtime waits up to 5s more for interrupted handlers.
     */
    private Duration drainTimeout = Duration.ofSeconds(20);
    /** Jobs a subscription runs at once; default 32. */
    private @Nullable Integer maxConcurrentJobs;
    /** An adaptive limit instead of max-concurrent-jobs (opt-in; see Concurrency.adaptive). */
    private final AdaptiveConcurrency adaptiveConcurrency = new AdaptiveConcurrency();
    /** Jobs asked for per fetch; default: max-concurrent-jobs. */
    private @Nullable Integer maxJobsPerFetch;
    /** How long a fetched job stays locked to this worker (extended while the handler runs); default 30s. */
    private @Nullable Duration lockDuration;
    /** How long a fetch waits for work on engines with long polling; default 10s. */
    private @Nullable Duration longPollTimeout;

    public @Nullable String getId() { return id; }
    public void setId(@Nullable String id) { this.id = id; }
    public boolean isAutoStartup() { return autoStartup; }
    public void setAutoStartup(boolean autoStartup) { this.autoStartup = autoStartup; }
    public Duration getDrainTimeout() { return drainTimeout; }
    public void setDrainTimeout(Duration drainTimeout) { this.drainTimeout = drainTimeout; }
    public @Nullable Integer getMaxConcurrentJobs() { return maxConcurrentJobs; }
    public void setMaxConcurrentJobs(@Nullable Integer maxConcurrentJobs) { this.maxConcurrentJobs = maxConcurrentJobs; }
    public AdaptiveConcurrency getAdaptiveConcurrency() { return adaptiveConcurrency; }
    public @Nullable Integer getMaxJobsPerFetch() { return maxJobsPerFetch; }
    public void setMaxJobsPerFetch(@Nullable Integer maxJobsPerFetch) { this.maxJobsPerFetch = maxJobsPerFetch; }
    public @Nullable Duration getLockDuration() { return lockDuration; }
    public void setLockDuration(@Nullable Duration lockDuration) { this.lockDuration = lockDuration; }
    public @Nullable Duration getLongPollTimeout() { return longPollTimeout; }
    public void setLongPollTimeout(@Nullable Duration longPollTimeout) { this.longPollTimeout = longPollTimeout; }

    @Override
    public String toString() {
      return "{id=" + id + ", autoStartup=" + autoStartup + ", drainTimeout=" + drainTimeout
          + ", maxConcurrentJobs=" + maxConcurrentJobs + ", adaptiveConcurrency=" + adaptiveConcurrency
          + ", maxJobsPerFetch=" + maxJobsPerFetch
          + ", lockDuration=" + lockDuration + ", longPollTimeout=" + longPollTimeout + "}";
    }
  }

  /**
   * An adaptive concurrency limit ({@code Concurrency.adaptive(min, max)}): it starts at min and
   * grows towards max while handlers wait and the engine has work, and shrinks on engine errors or
   * slower handlers. Set max to turn it on; not together with max-concurrent-jobs on the same level.
   */
  public static class AdaptiveConcurrency {
    /** The floor and the start; default 1. */
    private @Nullable Integer min;
    /** The ceiling; setting it turns the adaptive limit on. */
    private @Nullable Integer max;

    public @Nullable Integer getMin() { return min; }
    public void setMin(@Nullable Integer min) { this.min = min; }
    public @Nullable Integer getMax() { return max; }
    public void setMax(@Nullable Integer max) { this.max = max; }

    /** Whether min or max is set. */
    public boolean isSet() {
      return min != null || max != null;
    }

    @Override
    public String toString() {
      return isSet() ? "{min=" + min + ", max=" + max + "}" : "unset";
    }
  }

  /** One topic's overrides; unset values keep the annotation's, then the worker defaults. */
  public static class Subscription {
    /** false: the handler for this topic is not subscribed. */
    private boolean enabled = true;
    /** Jobs this subscription runs at once. */
    private @Nullable Integer maxConcurrentJobs;
    /** An adaptive limit for this topic instead of max-concurrent-jobs (opt-in). */
    private final AdaptiveConcurrency adaptiveConcurrency = new AdaptiveConcurrency();
    /** Jobs asked for per fetch. */
    private @Nullable Integer maxJobsPerFetch;
    /** Lock duration of this topic's jobs. */
    private @Nullable Duration lockDuration;
    /** Long-poll timeout of this topic's fetches. */
    private @Nullable Duration longPollTimeout;
    /** The variables fetched with each job; default: the annotation's, else all. */
    private @Nullable List<String> variables;
    /**
     * The engines (ids of polyworker.engines) this topic is subscribed on; default: the annotation's,
     * else every engine of the worker.
     */
    private @Nullable List<String> engines;
    /**
     * Jobs this subscription runs at once on each engine, within max-concurrent-jobs; default: no
     * limit per engine, only max-concurrent-jobs shared by all engines.
     */
    private @Nullable Integer maxConcurrentJobsPerEngine;

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public @Nullable Integer getMaxConcurrentJobs() { return maxConcurrentJobs; }
    public void setMaxConcurrentJobs(@Nullable Integer maxConcurrentJobs) { this.maxConcurrentJobs = maxConcurrentJobs; }
    public AdaptiveConcurrency getAdaptiveConcurrency() { return adaptiveConcurrency; }
    public @Nullable Integer getMaxJobsPerFetch() { return maxJobsPerFetch; }
    public void setMaxJobsPerFetch(@Nullable Integer maxJobsPerFetch) { this.maxJobsPerFetch = maxJobsPerFetch; }
    public @Nullable Duration getLockDuration() { return lockDuration; }
    public void setLockDuration(@Nullable Duration lockDuration) { this.lockDuration = lockDuration; }
    public @Nullable Duration getLongPollTimeout() { return longPollTimeout; }
    public void setLongPollTimeout(@Nullable Duration longPollTimeout) { this.longPollTimeout = longPollTimeout; }
    public @Nullable List<String> getVariables() { return variables; }
    public void setVariables(@Nullable List<String> variables) { this.variables = variables == null ? null : new ArrayList<>(variables); }
    public @Nullable List<String> getEngines() { return engines; }
    public void setEngines(@Nullable List<String> engines) { this.engines = engines == null ? null : new ArrayList<>(engines); }
    public @Nullable Integer getMaxConcurrentJobsPerEngine() { return maxConcurrentJobsPerEngine; }
    public void setMaxConcurrentJobsPerEngine(@Nullable Integer maxConcurrentJobsPerEngine) { this.maxConcurrentJobsPerEngine = maxConcurrentJobsPerEngine; }

    @Override
    public String toString() {
      return "{enabled=" + enabled + ", maxConcurrentJobs=" + maxConcurrentJobs + ", maxJobsPerFetch="
          + maxJobsPerFetch + ", lockDuration=" + lockDuration + ", longPollTimeout=" + longPollTimeout
          + ", variables=" + variables + ", engines=" + engines + ", maxConcurrentJobsPerEngine="
          + maxConcurrentJobsPerEngine + "}";
    }
  }

  /** The Actuator health indicator (with spring-boot-health on the class path). */
  public static class Health {
    /** How long fetches must fail without a success before health says DOWN. */
    private Duration downAfter = Duration.ofSeconds(30);

    public Duration getDownAfter() { return downAfter; }
    public void setDownAfter(Duration downAfter) { this.downAfter = downAfter; }
  }

  /** The Micrometer meters (with polyworker-micrometer and a MeterRegistry bean). */
  public static class Metrics {
    /** Whether the worker's meters are registered. */
    private boolean enabled = true;

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
  }

  /** The OpenTelemetry spans (with polyworker-opentelemetry and an OpenTelemetry bean). */
  public static class Tracing {
    /** Whether each job attempt runs in a span and the process client writes the trace context into processes. */
    private boolean enabled = true;

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
  }
}
