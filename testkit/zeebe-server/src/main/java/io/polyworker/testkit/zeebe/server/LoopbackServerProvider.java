package io.polyworker.testkit.zeebe.server;

import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerProvider;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Makes the engine's gRPC gateway listen on one address (loopback by default) instead of all interfaces.
 *
 * <p>{@code EngineFactory.create(port)} builds its gateway with {@code io.grpc.ServerBuilder.forPort(port)},
 * which binds the wildcard address and offers no way to pass a host. {@code forPort} asks gRPC's
 * {@code ServerRegistry} for the available {@link ServerProvider} of highest priority, found with
 * {@code ServiceLoader} ({@code META-INF/services/io.grpc.ServerProvider} in this jar). This provider
 * outranks grpc-netty's own ({@code NettyServerProvider}, priority 5) and builds the same Netty server,
 * bound to {@code host:port}. It only ever runs inside the child JVM, where the engine's gateway is the
 * only gRPC server.
 *
 * <p>The host comes from system property {@value #BIND_ADDRESS_PROPERTY} (default {@code 127.0.0.1}),
 * set by {@link ZeebeTestServer} from {@code --polyworker.bind-address}.
 */
public final class LoopbackServerProvider extends ServerProvider {

  /** System property with the address to bind the gateway to: {@value}. */
  static final String BIND_ADDRESS_PROPERTY = "polyworker.zeebe.bind-address";

  /** Public no-argument constructor for {@code ServiceLoader}. */
  public LoopbackServerProvider() {
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 6; // NettyServerProvider is 5; range is 0..10
  }

  @Override
  protected ServerBuilder<?> builderForPort(int port) {
    return NettyServerBuilder.forAddress(address(port));
  }

  @Override
  protected NewServerBuilderResult newServerBuilderForPort(int port, ServerCredentials credentials) {
    try {
      return NewServerBuilderResult.serverBuilder(NettyServerBuilder.forAddress(address(port), credentials));
    } catch (IllegalArgumentException unsupportedCredentials) {
      return NewServerBuilderResult.error(String.valueOf(unsupportedCredentials.getMessage()));
    }
  }

  static InetSocketAddress address(int port) {
    String host = System.getProperty(BIND_ADDRESS_PROPERTY, "127.0.0.1");
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(BIND_ADDRESS_PROPERTY + " is not an address: " + host, e);
    }
  }
}
