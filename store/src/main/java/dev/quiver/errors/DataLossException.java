package dev.quiver.errors;

/** Stored data is corrupt or lost, such as an unreadable spill file (TensorFlow's {@code DataLossError}). */
public class DataLossException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public DataLossException(String message) {
    this(message, null);
  }

  public DataLossException(String message, Throwable cause) {
    super(StatusCode.DATA_LOSS, message, cause);
  }
}
