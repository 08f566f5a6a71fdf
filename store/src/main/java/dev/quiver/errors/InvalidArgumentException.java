package dev.quiver.errors;

/** A bad value was given: a wrong dtype or shape, a malformed handle, a stream that is not a tensor (TensorFlow's {@code InvalidArgumentError}). */
public class InvalidArgumentException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public InvalidArgumentException(String message) {
    this(message, null);
  }

  public InvalidArgumentException(String message, Throwable cause) {
    super(StatusCode.INVALID_ARGUMENT, message, cause);
  }
}
