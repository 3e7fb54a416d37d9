package io.polyworker.zeebe.internal;

import io.camunda.client.CamundaClient;
import io.camunda.client.CamundaClientBuilder;
import io.camunda.client.CamundaClientConfiguration;
import io.camunda.client.impl.CamundaClientImpl;
import io.grpc.ManagedChannel;
import io.polyworker.engine.Engine;
import io.polyworker.support.internal.DefaultEngine;
import io.polyworker.zeebe.ZeebeEngine;
import java.nio.file.Path;

/**
 * Builds the {@link Engine} behind {@link ZeebeEngine.Builder#build()}: one {@link CamundaClient}
 * (one gRPC channel, plus an idle HTTP client the Camunda client always creates) shared by the job
 * and process clients. Closing the engine or its job client closes the job streams, then the client;
 * a second close does nothing. The client is configured only from
 * {@link ZeebeSettings}: environment overrides are off, gRPC is preferred over REST (the in-memory
 * engine has no REST API, and the job stream exists on gRPC only). The gRPC channel is built here
 * (with the client's own {@code buildChannel}) rather than inside {@code build()}, so that a failed
 * call can cut gRPC's reconnect backoff short ({@link ReconnectAfterUnavailable}).
 */
public final class ZeebeEngineFactory {
  /** Logger name of this module. */
  static final String LOGGER = "io.polyworker.engine." + ZeebeEngine.ID;

  private ZeebeEngineFactory() {}

  /** The engine; does not contact the gateway. */
  public static Engine create(ZeebeSettings settings) {
    CamundaClient client = newClient(settings);
    ZeebeJobClient jobs = new ZeebeJobClient(client, settings);
    ZeebeProcessClient processes = new ZeebeProcessClient(client, ZeebeErrors.Gateway.of(settings));
    return new DefaultEngine(ZeebeEngine.ID, jobs, processes, jobs::close, "ZeebeEngine["
        + settings.grpcAddress() + (settings.plaintext() ? ", plaintext" : ", TLS")
        + (settings.oauth() != null ? ", oauth2 client " + settings.oauth().clientId() : "") + "]");
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
}
