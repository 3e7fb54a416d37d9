package io.polyworker.zeebe;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.camunda.zeebe.gateway.protocol.GatewayGrpc;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobResponse;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.polyworker.engine.Engine;
import io.polyworker.spi.LockedJob;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several calls refused with UNAUTHENTICATED at once must not throw away a token fetched meanwhile:
 * only the token a refused call carried is dropped. A scripted gateway on loopback refuses every call
 * with the first token, the later refusals only after a renewed token has been accepted; a local
 * token endpoint counts the requests.
 */
class OAuthTokenRaceTest {
  private static final int CALLS = 4;
  private static final Context.Key<String> AUTHORIZATION = Context.key("authorization");

  private final AtomicInteger tokenRequests = new AtomicInteger();
  private final List<String> accepted = new CopyOnWriteArrayList<>();
  private final CountDownLatch allArrivedWithFirstToken = new CountDownLatch(CALLS);
  private final CountDownLatch renewedTokenAccepted = new CountDownLatch(1);
  private final AtomicBoolean firstRefused = new AtomicBoolean();
  private Server gateway;
  private HttpServer tokenServer;
  private Engine engine;
  private ExecutorService callers;

  @BeforeEach
  void start() throws IOException {
    tokenServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    tokenServer.createContext("/token", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] body = ("{\"access_token\":\"token-" + tokenRequests.incrementAndGet()
          + "\",\"expires_in\":3600}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    tokenServer.start();

    ServerInterceptor authorizationIntoContext = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        String value = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
        return Contexts.interceptCall(Context.current().withValue(AUTHORIZATION, String.valueOf(value)),
            call, headers, next);
      }
    };
    gateway = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(new RefusingTheFirstToken(), authorizationIntoContext))
        .build()
        .start();
    engine = ZeebeEngine.builder().grpcAddress(URI.create("http://127.0.0.1:" + gateway.getPort()))
        .plaintext()
        .oauth2(URI.create("http://127.0.0.1:" + tokenServer.getAddress().getPort() + "/token"),
            "client", "secret", "aud")
        .build();
    callers = Executors.newFixedThreadPool(CALLS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    callers.shutdownNow();
    engine.close();
    tokenServer.stop(0);
    gateway.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void concurrentRefusalsDropOnlyTheTokenTheyCarried() throws Exception {
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      LockedJob job = job(i);
      calls.add(callers.submit(() -> engine.jobClient().complete(job, "w", Map.of(), Map.of())));
    }
    for (Future<?> call : calls) {
      call.get(30, TimeUnit.SECONDS); // each call is retried once with a token that is accepted
    }

    assertThat(accepted).hasSize(CALLS).containsOnly("Bearer token-2");
    assertThat(tokenRequests).as("the first token, and one renewal shared by every refused call")
        .hasValue(2);
  }

  private static LockedJob job(int n) {
    return LockedJob.builder().engine("zeebe").id(Integer.toString(40 + n)).topic("t")
        .processInstanceId("1").elementId("task").lockExpiresAt(Instant.now())
        .nativeJob(Integer.toString(40 + n)).build();
  }

  /**
   * Holds every call carrying token-1 until all {@value #CALLS} are there; refuses one at once, and
   * the others only once a call with a renewed token has been accepted, so that each of them arrives
   * at the client after the renewal.
   */
  private final class RefusingTheFirstToken extends GatewayGrpc.GatewayImplBase {
    @Override
    public void completeJob(CompleteJobRequest request, StreamObserver<CompleteJobResponse> response) {
      String authorization = AUTHORIZATION.get();
      if ("Bearer token-1".equals(authorization)) {
        try {
          allArrivedWithFirstToken.countDown();
          allArrivedWithFirstToken.await(20, TimeUnit.SECONDS);
          if (!firstRefused.compareAndSet(false, true)) {
            renewedTokenAccepted.await(20, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        response.onError(Status.UNAUTHENTICATED.withDescription("token expired").asRuntimeException());
        return;
      }
      accepted.add(authorization);
      response.onNext(CompleteJobResponse.getDefaultInstance());
      response.onCompleted();
      renewedTokenAccepted.countDown();
    }
  }
}
