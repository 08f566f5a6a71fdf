package dev.quiver.errors;

/** An error of no other code (TensorFlow's {@code UnknownError}). */
public class UnknownException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public UnknownException(String message) {
    this(message, null);
  }

  public UnknownException(String message, Throwable cause) {
    super(StatusCode.UNKNOWN, message, cause);
  }
}
