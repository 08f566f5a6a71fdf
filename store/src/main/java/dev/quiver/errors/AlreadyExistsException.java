package dev.quiver.errors;

/** Something to be created exists already (TensorFlow's {@code AlreadyExistsError}). */
public class AlreadyExistsException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public AlreadyExistsException(String message) {
    this(message, null);
  }

  public AlreadyExistsException(String message, Throwable cause) {
    super(StatusCode.ALREADY_EXISTS, message, cause);
  }
}
