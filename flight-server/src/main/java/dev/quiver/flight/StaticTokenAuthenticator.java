package dev.quiver.flight;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.auth2.Auth2Constants;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;

/**
 * Accepts calls whose {@code authorization} header is {@code Bearer <token>} for the one configured token,
 * through Flight's header-authentication middleware. The comparison takes the same time whatever the
 * sent token, and the error never says how a token was wrong. Thread-safe.
 */
final class StaticTokenAuthenticator implements CallHeaderAuthenticator {
  static final String PEER = "token";

  private final byte[] token;

  StaticTokenAuthenticator(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("the auth token must not be empty");
    }
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public AuthResult authenticate(CallHeaders headers) {
    String value = headers.get(Auth2Constants.AUTHORIZATION_HEADER);
    if (value == null) {
      throw CallStatus.UNAUTHENTICATED
          .withDescription("this Quiver server needs a bearer token (header 'authorization: Bearer <token>')")
          .toRuntimeException();
    }
    String prefix = Auth2Constants.BEARER_PREFIX;
    boolean bearer = value.regionMatches(true, 0, prefix, 0, prefix.length());
    byte[] sent = (bearer ? value.substring(prefix.length()).trim() : "").getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(sent, token) || !bearer) {
      throw CallStatus.UNAUTHENTICATED.withDescription("invalid bearer token").toRuntimeException();
    }
    return () -> PEER;
  }
}
