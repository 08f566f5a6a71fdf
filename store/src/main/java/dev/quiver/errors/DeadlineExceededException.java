package dev.quiver.errors;

/** A step or call ran past its deadline and was cancelled (TensorFlow's {@code DeadlineExceededError}). */
public class DeadlineExceededException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public DeadlineExceededException(String message) {
    this(message, null);
  }

  public DeadlineExceededException(String message, Throwable cause) {
    super(StatusCode.DEADLINE_EXCEEDED, message, cause);
  }
}
