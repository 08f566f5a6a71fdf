package dev.quiver.errors;

/** The service is not reachable now; the call may succeed later (TensorFlow's {@code UnavailableError}). */
public class UnavailableException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(String message) {
    this(message, null);
  }

  public UnavailableException(String message, Throwable cause) {
    super(StatusCode.UNAVAILABLE, message, cause);
  }
}
