package dev.quiver.errors;

/** The operation is not supported for these arguments, such as an op on a dtype it has no kernel for (TensorFlow's {@code UnimplementedError}). */
public class UnimplementedException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public UnimplementedException(String message) {
    this(message, null);
  }

  public UnimplementedException(String message, Throwable cause) {
    super(StatusCode.UNIMPLEMENTED, message, cause);
  }
}
