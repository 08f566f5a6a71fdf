package dev.quiver.errors;

/** An invariant of Quiver itself broke: a bug (TensorFlow's {@code InternalError}). */
public class InternalException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public InternalException(String message) {
    this(message, null);
  }

  public InternalException(String message, Throwable cause) {
    super(StatusCode.INTERNAL, message, cause);
  }
}
