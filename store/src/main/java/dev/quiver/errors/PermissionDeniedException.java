package dev.quiver.errors;

/** The caller may not do this (TensorFlow's {@code PermissionDeniedError}). */
public class PermissionDeniedException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public PermissionDeniedException(String message) {
    this(message, null);
  }

  public PermissionDeniedException(String message, Throwable cause) {
    super(StatusCode.PERMISSION_DENIED, message, cause);
  }
}
