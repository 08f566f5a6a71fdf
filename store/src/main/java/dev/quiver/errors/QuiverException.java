package dev.quiver.errors;

/**
 * The root of Quiver's errors: an unchecked exception carrying a TensorFlow {@link StatusCode}.
 *
 * <p>Throw one of the subclasses; each corresponds to one of TensorFlow's {@code tf.errors} classes.
 * Messages name the tensor, handle or op at fault. {@link #of} builds the subclass for a code, for
 * code that receives a status from elsewhere (the Flight client, a deserialized error).
 */
public class QuiverException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final StatusCode code;

  protected QuiverException(StatusCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The TensorFlow status code of this error. */
  public StatusCode code() {
    return code;
  }

  /** Returns the exception class that matches {@code code}, carrying {@code message}. */
  public static QuiverException of(StatusCode code, String message, Throwable cause) {
    switch (code) {
      case CANCELLED: return new CancelledException(message, cause);
      case INVALID_ARGUMENT: return new InvalidArgumentException(message, cause);
      case DEADLINE_EXCEEDED: return new DeadlineExceededException(message, cause);
      case NOT_FOUND: return new NotFoundException(message, cause);
      case ALREADY_EXISTS: return new AlreadyExistsException(message, cause);
      case PERMISSION_DENIED: return new PermissionDeniedException(message, cause);
      case RESOURCE_EXHAUSTED: return new ResourceExhaustedException(message, cause);
      case FAILED_PRECONDITION: return new FailedPreconditionException(message, cause);
      case ABORTED: return new AbortedException(message, cause);
      case OUT_OF_RANGE: return new OutOfRangeException(message, cause);
      case UNIMPLEMENTED: return new UnimplementedException(message, cause);
      case INTERNAL: return new InternalException(message, cause);
      case UNAVAILABLE: return new UnavailableException(message, cause);
      case DATA_LOSS: return new DataLossException(message, cause);
      case UNAUTHENTICATED: return new UnauthenticatedException(message, cause);
      default: return new UnknownException(message, cause);
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + " (" + code.tfName() + "): " + getMessage();
  }
}
