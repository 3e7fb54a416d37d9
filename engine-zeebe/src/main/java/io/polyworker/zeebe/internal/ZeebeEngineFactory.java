package io.polyworker.zeebe.internal;

import io.camunda.client.CamundaClient;
import io.camunda.client.CamundaClientBuilder;
import io.camunda.client.CamundaClientConfiguration;
import io.camunda.client.impl.CamundaClientImpl;
import io.grpc.ManagedChannel;
import io.polyworker.Engine;
import io.polyworker.ProcessClient;
import io.polyworker.spi.EngineClient;
import io.polyworker.zeebe.ZeebeEngine;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link Engine} behind {@link ZeebeEngine.Builder#build()}: one {@link CamundaClient} (one gRPC
 * channel, plus an idle HTTP client the Camunda client always creates) shared by the job and process
 * clients. The client is configured only from
 * {@link ZeebeSettings}: environment overrides are off, gRPC is preferred over REST (the in-memory
 * engine has no REST API, and the job stream exists on gRPC only). The gRPC channel is built here
 * (with the client's own {@code buildChannel}) rather than inside {@code build()}, so that a failed
 * call can cut gRPC's reconnect backoff short ({@link ReconnectAfterUnavailable}).
 */
public final class DefaultZeebeEngine implements Engine {
  /** Logger name of this module. */
  static final String LOGGER = "io.polyworker.engine.zeebe";

  private final ZeebeSettings settings;
  private final CamundaClient client;
  private final ZeebeJobClient jobs;
  private final ZeebeProcessClient processes;
  private final AtomicBoolean closed = new AtomicBoolean();

  public DefaultZeebeEngine(ZeebeSettings settings) {
    this.settings = settings;
    this.client = newClient(settings);
    this.jobs = new ZeebeJobClient(client, settings, this::close);
    this.processes = new ZeebeProcessClient(client);
  }

  private static CamundaClient newClient(ZeebeSettings settings) {
    CamundaClientBuilder builder = CamundaClient.newClientBuilder()
        .applyEnvironmentVariableOverrides(false)
        .grpcAddress(settings.grpcAddress())
        .preferRestOverGrpc(false)
        .defaultRequestTimeout(settings.requestTimeout())
        .defaultJobWorkerStreamEnabled(false)
        .numJobWorkerExecutionThreads(1);
    ReconnectAfterUnavailable reconnect = new ReconnectAfterUnavailable();
    ZeebeSettings.OAuth oauth = settings.oauth();
    OAuthClientCredentials credentials = oauth == null ? null
        : new OAuthClientCredentials(oauth, settings.requestTimeout());
    // The credentials also intercept calls, to drop only the token a refused call carried.
    builder = credentials == null ? builder.withInterceptors(reconnect)
        : builder.withInterceptors(reconnect, credentials).credentialsProvider(credentials);
    // camunda-client-java takes TLS or not from the address scheme (http = plaintext); the builder
    // of ZeebeEngine has already checked that the scheme agrees with plaintext().
    Path ca = settings.caCertificatePath();
    if (ca != null) {
      builder = builder.caCertificatePath(ca.toAbsolutePath().toString());
    }
    // Built as build() does with environment overrides off, but with the channel in hand so that
    // the interceptor can reset its reconnect backoff (ReconnectAfterUnavailable).
    if (!(builder instanceof CamundaClientConfiguration config)) {
      return builder.build();
    }
    ManagedChannel channel = CamundaClientImpl.buildChannel(config);
    reconnect.bind(channel);
    return new CamundaClientImpl(config, channel);
  }

  @Override
  public String id() {
    return ZeebeEngine.ID;
  }

  @Override
  public ProcessClient processClient() {
    return processes;
  }

  @Override
  public EngineClient jobClient() {
    return jobs;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      jobs.closeStreams();
      client.close();
    }
  }

  @Override
  public String toString() {
    return "ZeebeEngine[" + settings.grpcAddress() + (settings.plaintext() ? ", plaintext" : ", TLS")
        + (settings.oauth() != null ? ", oauth2 client " + settings.oauth().clientId() : "") + "]";
  }
}
