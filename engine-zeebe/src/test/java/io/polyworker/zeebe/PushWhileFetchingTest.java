package io.polyworker.zeebe;

import static org.awaitility.Awaitility.await;

import io.camunda.zeebe.gateway.protocol.GatewayGrpc;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ActivateJobsRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ActivateJobsResponse;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.ActivatedJob;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobResponse;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.StreamActivatedJobsRequest;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.polyworker.engine.Engine;
import io.polyworker.JobResult;
import io.polyworker.worker.JobWorker;
import io.polyworker.SubscriptionOptions;
import io.polyworker.WorkerOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A job pushed while the poller's fetch is in flight must still run. On a gateway that long-polls,
 * the fetch holds the subscription's free capacity for the whole poll, so the push cannot take a
 * slot and is queued; when the fetch then returns empty, its slots are released but the queued push
 * is not dispatched (only a finishing job drains that queue).
 */
class PushWhileFetchingTest {

  @Test
  void aJobPushedDuringALongPollRunsWhenThePollReturnsEmpty() throws Exception {
    HeldGateway gateway = new HeldGateway();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(gateway).build().start();
    AtomicInteger handled = new AtomicInteger();
    try (Engine engine = ZeebeEngine.builder().grpcAddress(URI.create("http://127.0.0.1:" + server.getPort()))
        .plaintext().longPolling(true).build();
        JobWorker worker = JobWorker.builder(engine)
            .options(WorkerOptions.builder().emptyPollBackoff(Duration.ofSeconds(30), Duration.ofSeconds(30)).build())
            .subscribe("t", job -> {
              handled.incrementAndGet();
              return JobResult.complete();
            }, SubscriptionOptions.builder().maxConcurrentJobs(4).longPollTimeout(Duration.ofSeconds(20)).build())
            .build()
            .start()) {
      // A long poll is open and the stream registered: push one job now.
      await().atMost(Duration.ofSeconds(10)).until(() -> !gateway.heldPolls.isEmpty() && gateway.stream != null);
      gateway.stream.onNext(ActivatedJob.newBuilder().setKey(1).setType("t").setProcessInstanceKey(2)
          .setBpmnProcessId("p").setElementId("task").setRetries(3)
          .setDeadline(System.currentTimeMillis() + 30_000).setVariables("{}").setCustomHeaders("{}").build());
      // Every long poll ends empty (answering all held ones: the client may have several on record).
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        StreamObserver<ActivateJobsResponse> poll;
        while ((poll = gateway.heldPolls.poll()) != null) {
          try {
            poll.onNext(ActivateJobsResponse.getDefaultInstance());
            poll.onCompleted();
          } catch (RuntimeException alreadyClosed) {
            // a call the client gave up on
          }
        }
        return handled.get() == 1;
      });
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Holds every activation open (like a long poll with no job) and keeps the job stream's observer. */
  private static final class HeldGateway extends GatewayGrpc.GatewayImplBase {
    final Queue<StreamObserver<ActivateJobsResponse>> heldPolls = new ConcurrentLinkedQueue<>();
    volatile StreamObserver<ActivatedJob> stream;

    @Override
    public void activateJobs(ActivateJobsRequest request, StreamObserver<ActivateJobsResponse> response) {
      heldPolls.add(response);
    }

    @Override
    public void streamActivatedJobs(StreamActivatedJobsRequest request, StreamObserver<ActivatedJob> response) {
      stream = response;
    }

    @Override
    public void completeJob(CompleteJobRequest request, StreamObserver<CompleteJobResponse> response) {
      response.onNext(CompleteJobResponse.getDefaultInstance());
      response.onCompleted();
    }
  }
}
