package io.polyworker.zeebe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.camunda.zeebe.gateway.protocol.GatewayGrpc;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ActivateJobsRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ActivateJobsResponse;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ActivatedJob;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobResponse;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.FailJobRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.FailJobResponse;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ThrowErrorRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ThrowErrorResponse;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.polyworker.AuthenticationException;
import io.polyworker.BackPressureException;
import io.polyworker.engine.Engine;
import io.polyworker.EngineUnavailableException;
import io.polyworker.MalformedAnswerException;
import io.polyworker.PolyworkerException;
import io.polyworker.ResultRejectedException;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers the in-memory engine never gives, from a scripted gRPC gateway on loopback (the real
 * gateway protocol over a real channel): back pressure, authentication failures, malformed job data,
 * and the OAuth2 token a real gateway would check.
 */
class FakeGatewayTest {
  private final FakeGateway gateway = new FakeGateway();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private Server server;
  private HttpServer tokenServer;
  private Engine engine;

  @BeforeEach
  void startGateway() throws IOException {
    ServerInterceptor recordAuthorization = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        String value = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
        authorizations.add(value == null ? "none" : value);
        return next.startCall(call, headers);
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(gateway, recordAuthorization))
        .build()
        .start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (engine != null) {
      engine.close();
    }
    if (tokenServer != null) {
      tokenServer.stop(0);
    }
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private URI address() {
    return URI.create("http://127.0.0.1:" + server.getPort());
  }

  private Engine plainEngine() {
    engine = ZeebeEngine.builder().grpcAddress(address()).plaintext().build();
    return engine;
  }

  private List<LockedJob> fetch(Engine e) {
    try {
      return e.jobClient().fetchAndLock(FetchRequest.of("w", "t", 5, Duration.ofSeconds(30))).join();
    } catch (CompletionException ce) {
      throw (RuntimeException) ce.getCause();
    }
  }

  private static LockedJob someJob() {
    return LockedJob.builder().engine("zeebe").id("42").topic("t").processInstanceId("1").elementId("task")
        .lockExpiresAt(java.time.Instant.now()).nativeJob("42").build();
  }

  @Test
  void resourceExhaustedIsRetryableBackPressure() {
    gateway.activate.add(Status.RESOURCE_EXHAUSTED.withDescription("Expected to handle gRPC request, but request could not be handled due to backpressure"));
    assertThatThrownBy(() -> fetch(plainEngine()))
        .isInstanceOfSatisfying(BackPressureException.class, e -> {
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.engine()).isEqualTo("zeebe");
          assertThat(e.operation()).isEqualTo("fetchAndLock");
          assertThat(e.status()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
          assertThat(e.answerExcerpt()).contains("backpressure");
        });
  }

  @Test
  void unauthenticatedAndPermissionDeniedAreAuthenticationFailures() {
    Engine e = plainEngine();
    gateway.complete.add(Status.UNAUTHENTICATED.withDescription("Expected bearer token"));
    assertThatThrownBy(() -> e.jobClient().complete(someJob(), "w", Map.of(), Map.of()))
        .isInstanceOfSatisfying(AuthenticationException.class,
            ex -> assertThat(ex.status()).isEqualTo(Status.Code.UNAUTHENTICATED.value()));
    gateway.complete.add(Status.PERMISSION_DENIED.withDescription("Insufficient permissions"));
    assertThatThrownBy(() -> e.jobClient().complete(someJob(), "w", Map.of(), Map.of()))
        .isInstanceOfSatisfying(AuthenticationException.class,
            ex -> assertThat(ex.isRetryable()).isFalse());
  }

  @Test
  void invalidArgumentOnAResultIsAContentRefusalWithTheGatewaysMessage() {
    Engine e = plainEngine();
    // What a standalone 8.8 gateway answers for a variables document that is not an object.
    String refusal = "Property 'variables' is invalid: Expected document to be a root level object, but was 'ARRAY'";
    gateway.complete.add(Status.INVALID_ARGUMENT.withDescription(refusal));
    assertThatThrownBy(() -> e.jobClient().complete(someJob(), "w", Map.of(), Map.of()))
        .isExactlyInstanceOf(ResultRejectedException.class)
        .hasMessage("[zeebe] complete failed (status 3): gRPC INVALID_ARGUMENT: " + refusal);
    gateway.fail.add(Status.INVALID_ARGUMENT.withDescription(refusal));
    assertThatThrownBy(() -> e.jobClient().fail(someJob(), "w", "m", null, 1, Duration.ZERO))
        .isExactlyInstanceOf(ResultRejectedException.class);
    gateway.throwError.add(Status.INVALID_ARGUMENT.withDescription(refusal));
    assertThatThrownBy(() -> e.jobClient().bpmnError(someJob(), "w", "E", null, Map.of()))
        .isExactlyInstanceOf(ResultRejectedException.class);

    // Not a result: the same status stays a plain, non-retryable error.
    gateway.activate.add(Status.INVALID_ARGUMENT.withDescription("Expected type to be present"));
    assertThatThrownBy(() -> fetch(e)).isExactlyInstanceOf(PolyworkerException.class);
    gateway.fail.add(Status.INVALID_ARGUMENT.withDescription(refusal));
    assertThatThrownBy(() -> e.jobClient().release(someJob(), "w"))
        .isExactlyInstanceOf(PolyworkerException.class);
  }

  @Test
  void cancelledInternalAndUnknownAreRetryableOnEveryOperation() {
    Engine e = plainEngine();
    for (Status status : List.of(Status.CANCELLED.withDescription("the gateway cancelled the call"),
        Status.INTERNAL.withDescription("Unexpected error occurred during the request processing"),
        Status.UNKNOWN.withDescription("Application error processing RPC"))) {
      gateway.complete.add(status);
      assertThatThrownBy(() -> e.jobClient().complete(someJob(), "w", Map.of(), Map.of()))
          .as("%s on complete", status.getCode())
          .isInstanceOfSatisfying(EngineUnavailableException.class, ex -> {
            assertThat(ex.isRetryable()).isTrue();
            assertThat(ex.status()).isEqualTo(status.getCode().value());
            assertThat(ex.getMessage()).contains(status.getDescription());
          });
      gateway.fail.add(status);
      assertThatThrownBy(() -> e.jobClient().fail(someJob(), "w", "m", null, 1, Duration.ZERO))
          .as("%s on fail", status.getCode()).isInstanceOf(EngineUnavailableException.class);
      gateway.throwError.add(status);
      assertThatThrownBy(() -> e.jobClient().bpmnError(someJob(), "w", "E", null, Map.of()))
          .as("%s on bpmnError", status.getCode()).isInstanceOf(EngineUnavailableException.class);
      gateway.activate.add(status);
      assertThatThrownBy(() -> fetch(e))
          .as("%s on fetch", status.getCode()).isInstanceOf(EngineUnavailableException.class);
    }
  }

  @Test
  void anInterruptWhileWaitingForTheGatewayIsRetryableAndKeepsTheFlag() {
    Engine e = plainEngine();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> e.jobClient().complete(someJob(), "w", Map.of(), Map.of()))
          .isInstanceOfSatisfying(EngineUnavailableException.class, ex -> {
            assertThat(ex.isRetryable()).isTrue();
            assertThat(ex.operation()).isEqualTo("complete");
            assertThat(ex.getMessage()).contains("interrupted");
          });
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt flag is restored").isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void unavailableAndDeadlineExceededAreTransient() {
    Engine e = plainEngine();
    gateway.activate.add(Status.UNAVAILABLE.withDescription("broker is restarting"));
    assertThatThrownBy(() -> fetch(e)).isInstanceOfSatisfying(EngineUnavailableException.class,
        ex -> assertThat(ex.isRetryable()).isTrue());
    gateway.complete.add(Status.DEADLINE_EXCEEDED);
    assertThatThrownBy(() -> e.jobClient().complete(someJob(), "w", Map.of(), Map.of()))
        .isInstanceOf(EngineUnavailableException.class);
  }

  @Test
  void variablesThatAreNotAJsonObjectMakeAnUnreadableJobNotAFailedFetch() {
    gateway.jobs.add(job(1).setVariables("[1,2").build());
    gateway.jobs.add(job(2).setVariables("{\"n\":1}").build());
    List<LockedJob> jobs = fetch(plainEngine());
    assertThat(jobs).hasSize(2);
    assertThat(jobs.get(0).id()).isEqualTo("1");
    assertThat(jobs.get(0).readError()).isInstanceOfSatisfying(MalformedAnswerException.class, e -> {
      assertThat(e.getMessage()).contains("zeebe").contains("job 1");
      assertThat(e.answerExcerpt()).isEqualTo("[1,2");
    });
    assertThat(jobs.get(1).readError()).isNull();
    assertThat(jobs.get(1).variables()).containsEntry("n", 1);
  }

  @Test
  void aJobWithDefaultFieldsStillReadsAsAJob() {
    gateway.jobs.add(job(7).setVariables("{\"n\":1}").setCustomHeaders("{\"h\":\"v\"}").build());
    List<LockedJob> jobs = fetch(plainEngine());
    assertThat(jobs).singleElement().satisfies(j -> {
      assertThat(j.id()).isEqualTo("7");
      assertThat(j.variables()).containsEntry("n", 1);
      assertThat(j.headers()).containsEntry("h", "v");
      assertThat(j.tenantId()).isEqualTo("tenant-a");
    });
  }

  @Test
  void activationMapsTheRequestAndAsksForNoLongPollUnlessEnabled() {
    FetchRequest request = new FetchRequest("worker-1", "t", 7, Duration.ofSeconds(42), List.of("a", "b"),
        Duration.ofSeconds(20), null, null, List.of("tenant-a"), false);
    plainEngine().jobClient().fetchAndLock(request).join();
    ActivateJobsRequest sent = gateway.activations.poll();
    assertThat(sent.getType()).isEqualTo("t");
    assertThat(sent.getWorker()).isEqualTo("worker-1");
    assertThat(sent.getMaxJobsToActivate()).isEqualTo(7);
    assertThat(sent.getTimeout()).isEqualTo(42_000);
    assertThat(sent.getFetchVariableList()).containsExactly("a", "b");
    assertThat(sent.getTenantIdsList()).containsExactly("tenant-a");
    assertThat(sent.getRequestTimeout()).as("negative: answer at once").isNegative();
    engine.close();

    engine = ZeebeEngine.builder().grpcAddress(address()).plaintext().longPolling(true).build();
    engine.jobClient().fetchAndLock(request).join();
    assertThat(gateway.activations.poll().getRequestTimeout()).isEqualTo(20_000);
  }

  @Test
  void oauth2TokensAreFetchedOnceSentAsBearerAndRenewedWhenRejected() throws IOException {
    List<String> forms = startTokenServer(200);
    engine = ZeebeEngine.builder().grpcAddress(address()).plaintext()
        .oauth2(tokenUrl(), "my-client", "s3cr3t value", "zeebe.camunda.io", "orchestration")
        .build();

    fetch(engine);
    fetch(engine);
    engine.jobClient().complete(someJob(), "w", Map.of(), Map.of());

    assertThat(forms).hasSize(1);
    assertThat(form(forms.get(0))).containsExactlyInAnyOrderEntriesOf(Map.of(
        "grant_type", "client_credentials", "client_id", "my-client", "client_secret", "s3cr3t value",
        "audience", "zeebe.camunda.io", "scope", "orchestration"));
    assertThat(authorizations).containsOnly("Bearer token-1");

    // The gateway rejects the token once: the client drops it, fetches a new one and retries.
    gateway.complete.add(Status.UNAUTHENTICATED.withDescription("token expired"));
    engine.jobClient().complete(someJob(), "w", Map.of(), Map.of());
    assertThat(forms).hasSize(2);
    assertThat(authorizations.get(authorizations.size() - 1)).isEqualTo("Bearer token-2");
  }

  @Test
  void aRefusedTokenRequestIsAnAuthenticationFailureWithoutTheSecret() throws IOException {
    startTokenServer(401);
    engine = ZeebeEngine.builder().grpcAddress(address()).plaintext()
        .oauth2(tokenUrl(), "my-client", "s3cr3t", "zeebe.camunda.io")
        .build();
    assertThatThrownBy(() -> fetch(engine))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e.status()).isEqualTo(401);
          assertThat(e.getMessage()).contains("my-client").contains("401").doesNotContain("s3cr3t");
          assertThat(e.answerExcerpt()).contains("unauthorized_client");
        });
    assertThat(authorizations).as("no call reaches the gateway without a token").isEmpty();
    assertThat(engine.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void anUnreachableTokenEndpointIsAnAuthenticationFailure() {
    engine = ZeebeEngine.builder().grpcAddress(address()).plaintext()
        .oauth2(URI.create("http://127.0.0.1:1/token"), "my-client", "s3cr3t", "aud")
        .build();
    assertThatThrownBy(() -> engine.jobClient().complete(someJob(), "w", Map.of(), Map.of()))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> assertThat(e.status()).isEqualTo(-1));
  }

  // ---------------------------------------------------------------- helpers

  private static ActivatedJob.Builder job(long key) {
    return ActivatedJob.newBuilder().setKey(key).setType("t").setProcessInstanceKey(100 + key)
        .setBpmnProcessId("p").setElementId("task").setRetries(3)
        .setDeadline(System.currentTimeMillis() + 30_000).setTenantId("tenant-a");
  }

  private List<String> startTokenServer(int status) throws IOException {
    List<String> forms = new CopyOnWriteArrayList<>();
    AtomicInteger issued = new AtomicInteger();
    tokenServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    tokenServer.createContext("/token", exchange -> {
      forms.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      String body = status == 200
          ? "{\"access_token\":\"token-" + issued.incrementAndGet() + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}"
          : "{\"error\":\"unauthorized_client\"}";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    tokenServer.start();
    return forms;
  }

  private URI tokenUrl() {
    return URI.create("http://127.0.0.1:" + tokenServer.getAddress().getPort() + "/token");
  }

  private static Map<String, String> form(String body) {
    return Stream.of(body.split("&")).map(pair -> pair.split("=", 2)).collect(Collectors.toMap(
        kv -> URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
        kv -> URLDecoder.decode(kv[1], StandardCharsets.UTF_8)));
  }

  /** A gateway answering from scripts: a queued status fails the next call, else it succeeds. */
  private static final class FakeGateway extends GatewayGrpc.GatewayImplBase {
    final Queue<Status> activate = new ConcurrentLinkedQueue<>();
    final Queue<Status> complete = new ConcurrentLinkedQueue<>();
    final Queue<Status> fail = new ConcurrentLinkedQueue<>();
    final Queue<Status> throwError = new ConcurrentLinkedQueue<>();
    final Queue<ActivatedJob> jobs = new ConcurrentLinkedQueue<>();
    final Queue<ActivateJobsRequest> activations = new ConcurrentLinkedQueue<>();

    @Override
    public void activateJobs(ActivateJobsRequest request, StreamObserver<ActivateJobsResponse> response) {
      activations.add(request);
      Status status = activate.poll();
      if (status != null) {
        response.onError(status.asRuntimeException());
        return;
      }
      ActivateJobsResponse.Builder answer = ActivateJobsResponse.newBuilder();
      ActivatedJob job;
      while ((job = jobs.poll()) != null) {
        answer.addJobs(job);
      }
      response.onNext(answer.build());
      response.onCompleted();
    }

    @Override
    public void completeJob(CompleteJobRequest request, StreamObserver<CompleteJobResponse> response) {
      Status status = complete.poll();
      if (status != null) {
        response.onError(status.asRuntimeException());
        return;
      }
      response.onNext(CompleteJobResponse.getDefaultInstance());
      response.onCompleted();
    }

    @Override
    public void failJob(FailJobRequest request, StreamObserver<FailJobResponse> response) {
      Status status = fail.poll();
      if (status != null) {
        response.onError(status.asRuntimeException());
        return;
      }
      response.onNext(FailJobResponse.getDefaultInstance());
      response.onCompleted();
    }

    @Override
    public void throwError(ThrowErrorRequest request, StreamObserver<ThrowErrorResponse> response) {
      Status status = throwError.poll();
      if (status != null) {
        response.onError(status.asRuntimeException());
        return;
      }
      response.onNext(ThrowErrorResponse.getDefaultInstance());
      response.onCompleted();
    }
  }
}
