package dev.quiver.errors;

/** A memory or disk budget is used up (TensorFlow's {@code ResourceExhaustedError}); nothing stored was lost. */
public class ResourceExhaustedException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public ResourceExhaustedException(String message) {
    this(message, null);
  }

  public ResourceExhaustedException(String message, Throwable cause) {
    super(StatusCode.RESOURCE_EXHAUSTED, message, cause);
  }
}
