package io.polyworker.support.internal;

import io.polyworker.AuthenticationException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import okhttp3.Credentials;
import org.jspecify.annotations.Nullable;

/**
 * How a REST engine authenticates: none, HTTP basic, or a bearer token asked for on every request.
 * Immutable. The header is computed per request rather than by an OkHttp interceptor, so a failing
 * token supplier surfaces as an {@link AuthenticationException} of the operation instead of an error
 * on an OkHttp thread. {@link #toString()} names the scheme (and the basic user), never a secret.
 */
public final class HttpAuth {
  private static final HttpAuth NONE = new HttpAuth(null, null, "none");

  private final @Nullable String basicHeader;
  private final @Nullable Supplier<String> token;
  private final String description;

  private HttpAuth(@Nullable String basicHeader, @Nullable Supplier<String> token, String description) {
    this.basicHeader = basicHeader;
    this.token = token;
    this.description = description;
  }

  /** No credentials. */
  public static HttpAuth none() {
    return NONE;
  }

  /** HTTP basic, encoded as UTF-8. */
  public static HttpAuth basic(@Nullable String username, @Nullable String password) {
    if (username == null || username.isBlank()) {
      throw new IllegalArgumentException("username is blank");
    }
    Objects.requireNonNull(password, "password");
    return new HttpAuth(Credentials.basic(username, password, StandardCharsets.UTF_8), null,
        "basic(" + username + ")");
  }

  /** A static bearer token. */
  public static HttpAuth bearerToken(@Nullable String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("bearerToken is blank");
    }
    return tokenSupplier(() -> token);
  }

  /** A bearer token asked for on every request. */
  public static HttpAuth tokenSupplier(@Nullable Supplier<String> supplier) {
    return new HttpAuth(null, Objects.requireNonNull(supplier, "tokenSupplier"), "bearer");
  }

  /**
   * The {@code Authorization} header value for one request, or null for none.
   *
   * @throws AuthenticationException when the token supplier throws or returns a blank token
   */
  public @Nullable String header(String engine, String operation) {
    if (basicHeader != null) {
      return basicHeader;
    }
    if (token == null) {
      return null;
    }
    String value;
    try {
      value = token.get();
    } catch (RuntimeException e) {
      // The supplier's own message is left out on purpose: it might quote what it was parsing.
      throw new AuthenticationException(engine, operation, -1, null,
          "the bearer token supplier failed with " + e.getClass().getName(), e);
    }
    if (value == null || value.isBlank()) {
      throw new AuthenticationException(engine, operation, -1, null,
          "the bearer token supplier returned no token", null);
    }
    return "Bearer " + value.strip();
  }

  /** {@code none}, {@code basic(<username>)} or {@code bearer}: safe to log. */
  @Override
  public String toString() {
    return description;
  }
}
