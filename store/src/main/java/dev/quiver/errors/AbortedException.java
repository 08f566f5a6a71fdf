package dev.quiver.errors;

/** The operation was aborted, typically by a concurrency conflict (TensorFlow's {@code AbortedError}). */
public class AbortedException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public AbortedException(String message) {
    this(message, null);
  }

  public AbortedException(String message, Throwable cause) {
    super(StatusCode.ABORTED, message, cause);
  }
}
