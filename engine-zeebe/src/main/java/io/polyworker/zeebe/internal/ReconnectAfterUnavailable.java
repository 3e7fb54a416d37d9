package io.polyworker.zeebe.internal;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/**
 * Lets the worker's own backoff, not gRPC's, decide when to try the gateway again after an outage.
 *
 * <p>After a failed connection grpc-java waits before it connects again (1 s, growing by 1.6 up to
 * 2 min), and while it waits every call fails at once with UNAVAILABLE without touching the network.
 * The runtime retries results and fetches with a backoff of its own (100 ms doubling, with jitter),
 * so behind gRPC's timer most retries after an outage were wasted: after a 10 s partition the first
 * result got through 4.2-5.4 s after the network was back (Camunda and Flowable, over HTTP: 0.1-2 s).
 * So when a call ends UNAVAILABLE this resets the channel's connect backoff: the channel connects
 * again at once, and the next call the runtime makes finds it connecting or ready (then: 0.7-1.2 s).
 * No call is made here; the only traffic added is one connection attempt per failed call, which the
 * runtime's backoff already spaces out.
 */
final class ReconnectAfterUnavailable implements ClientInterceptor {
  private volatile @Nullable ManagedChannel channel;

  /** The channel whose backoff to reset; calls made before this is set are left alone. */
  void bind(ManagedChannel channel) {
    this.channel = channel;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
      Channel next) {
    return CallEnds.watch(next.newCall(method, options), status -> {
      if (status.getCode() == Status.Code.UNAVAILABLE) {
        ManagedChannel c = channel;
        if (c != null && !c.isShutdown()) {
          c.resetConnectBackoff();
        }
      }
    });
  }
}
