package io.polyworker.zeebe.internal;

import io.polyworker.engine.EngineConfig;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What {@link io.polyworker.zeebe.ZeebeEngine.Builder} collected, already validated.
 *
 * @param grpcAddress the gateway
 * @param plaintext no TLS
 * @param caCertificatePath PEM file of trusted CAs, or null for the JVM's trust store
 * @param oauth client credentials, or null for none
 * @param requestTimeout deadline of each command
 * @param streaming whether workers open job streams
 * @param longPolling whether the gateway long-polls activations
 */
public record ZeebeSettings(URI grpcAddress, boolean plaintext, @Nullable Path caCertificatePath,
    @Nullable OAuth oauth, Duration requestTimeout, boolean streaming, boolean longPolling) {

  /** See {@link io.polyworker.engine.EngineConfig#withoutUserInfo(String)}. */
  public static String withoutUserInfo(String address) {
    return io.polyworker.engine.EngineConfig.withoutUserInfo(address);
  }

  /** Whether a URI carries user info, also where Java's parser found no server-based authority. */
  public static boolean hasUserInfo(URI uri) {
    String authority = uri.getRawAuthority();
    return uri.getRawUserInfo() != null || (authority != null && authority.indexOf('@') >= 0);
  }

  /**
   * OAuth2 client credentials. {@link #toString()} hides the secret.
   *
   * @param tokenUrl token endpoint
   * @param clientId client id
   * @param clientSecret client secret
   * @param audience audience, or null
   * @param scope scope, or null
   */
  public record OAuth(URI tokenUrl, String clientId, String clientSecret, @Nullable String audience,
      @Nullable String scope) {
    @Override
    public String toString() {
      return "OAuth{tokenUrl=" + tokenUrl + ", clientId=" + clientId + ", clientSecret=****, audience="
          + audience + ", scope=" + scope + "}";
    }
  }
}
