package dev.quiver.errors;

/**
 * TensorFlow's canonical status codes, with TensorFlow's numeric values. Every {@link QuiverException}
 * carries one, and the Flight server maps each to the matching Flight status on the wire.
 */
public enum StatusCode {
  CANCELLED(1),
  UNKNOWN(2),
  INVALID_ARGUMENT(3),
  DEADLINE_EXCEEDED(4),
  NOT_FOUND(5),
  ALREADY_EXISTS(6),
  PERMISSION_DENIED(7),
  RESOURCE_EXHAUSTED(8),
  FAILED_PRECONDITION(9),
  ABORTED(10),
  OUT_OF_RANGE(11),
  UNIMPLEMENTED(12),
  INTERNAL(13),
  UNAVAILABLE(14),
  DATA_LOSS(15),
  UNAUTHENTICATED(16);

  private final int value;

  StatusCode(int value) {
    this.value = value;
  }

  /** The numeric code TensorFlow uses for this status ({@code error_codes.proto}). */
  public int value() {
    return value;
  }

  /** The code's name in TensorFlow's error classes: {@code InvalidArgument} for {@code InvalidArgumentError}. */
  public String tfName() {
    StringBuilder sb = new StringBuilder();
    for (String part : name().split("_")) {
      sb.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return sb.toString();
  }
}
