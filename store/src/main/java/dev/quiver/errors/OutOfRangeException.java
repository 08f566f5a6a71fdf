package dev.quiver.errors;

/** An index or position past the valid range (TensorFlow's {@code OutOfRangeError}). */
public class OutOfRangeException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public OutOfRangeException(String message) {
    this(message, null);
  }

  public OutOfRangeException(String message, Throwable cause) {
    super(StatusCode.OUT_OF_RANGE, message, cause);
  }
}
