package dev.quiver.errors;

/** A named thing does not exist: a handle, an op, a tensor (TensorFlow's {@code NotFoundError}). */
public class NotFoundException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    this(message, null);
  }

  public NotFoundException(String message, Throwable cause) {
    super(StatusCode.NOT_FOUND, message, cause);
  }
}
