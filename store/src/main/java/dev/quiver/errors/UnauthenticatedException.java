package dev.quiver.errors;

/** The caller presented no valid credentials (TensorFlow's {@code UnauthenticatedError}). */
public class UnauthenticatedException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public UnauthenticatedException(String message) {
    this(message, null);
  }

  public UnauthenticatedException(String message, Throwable cause) {
    super(StatusCode.UNAUTHENTICATED, message, cause);
  }
}
