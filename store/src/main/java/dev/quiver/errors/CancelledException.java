package dev.quiver.errors;

/** The operation was cancelled, by the caller or by its session closing (TensorFlow's {@code CancelledError}). */
public class CancelledException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public CancelledException(String message) {
    this(message, null);
  }

  public CancelledException(String message, Throwable cause) {
    super(StatusCode.CANCELLED, message, cause);
  }
}
