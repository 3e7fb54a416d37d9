package io.polyworker;

import org.jspecify.annotations.Nullable;

/**
 * The engine rejected the credentials (HTTP 401/403 not tied to a job lock, gRPC UNAUTHENTICATED or
 * PERMISSION_DENIED), or credentials could not be obtained (OAuth2 token endpoint failed).
 */
public class AuthenticationException extends PolyworkerException {
  private static final long serialVersionUID = 1L;

  /** See {@link PolyworkerException#PolyworkerException(String, String, int, String, String, Throwable)}. */
  public AuthenticationException(@Nullable String engine, @Nullable String operation, int status,
      @Nullable String answer, String detail, @Nullable Throwable cause) {
    super(engine, operation, status, answer, detail, cause);
  }

}
