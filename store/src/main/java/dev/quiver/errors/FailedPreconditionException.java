package dev.quiver.errors;

/** The system is not in a state for this call, such as a partial run fed twice (TensorFlow's {@code FailedPreconditionError}). */
public class FailedPreconditionException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public FailedPreconditionException(String message) {
    this(message, null);
  }

  public FailedPreconditionException(String message, Throwable cause) {
    super(StatusCode.FAILED_PRECONDITION, message, cause);
  }
}
