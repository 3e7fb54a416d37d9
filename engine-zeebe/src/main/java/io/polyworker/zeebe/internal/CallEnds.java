package io.polyworker.zeebe.internal;

import io.grpc.ClientCall;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.function.Consumer;

/**
 * The one piece of the interceptors that react to how a call ended ({@link OAuthClientCredentials},
 * {@link ReconnectAfterUnavailable}): forwards a call unchanged and hands its closing status to a
 * reaction first, then to the caller's listener.
 */
final class CallEnds {
  private CallEnds() {}

  /**
   * The call, forwarded; {@code reaction} runs on every close, on the thread gRPC closes the call
   * on, before the caller's listener hears of it.
   */
  static <Q, R> ClientCall<Q, R> watch(ClientCall<Q, R> call, Consumer<Status> reaction) {
    return new SimpleForwardingClientCall<>(call) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        super.start(new SimpleForwardingClientCallListener<>(listener) {
          @Override
          public void onClose(Status status, Metadata trailers) {
            reaction.accept(status);
            super.onClose(status, trailers);
          }
        }, headers);
      }
    };
  }
}
