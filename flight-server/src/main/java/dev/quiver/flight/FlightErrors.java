package dev.quiver.flight;

import dev.quiver.errors.QuiverException;
import dev.quiver.errors.StatusCode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.ErrorFlightMetadata;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * The one translation between Quiver's TensorFlow status codes and Flight's call statuses, used by the
 * server for every error it sends and by the Java client for every error it receives.
 *
 * <p>Flight has fewer codes than TensorFlow, so several TensorFlow codes share a Flight code (see
 * {@link #flightCode}); the exact TensorFlow code travels in the trailer {@value #STATUS_TRAILER}, from
 * which {@link #toQuiver} restores it. Stateless and thread-safe.
 */
public final class FlightErrors {
  /** The gRPC trailer that carries the TensorFlow status name, e.g. {@code FAILED_PRECONDITION}. */
  public static final String STATUS_TRAILER = "quiver-status";

  private FlightErrors() {}

  /** The Flight code a TensorFlow code travels as. */
  public static FlightStatusCode flightCode(StatusCode code) {
    switch (code) {
      case CANCELLED: return FlightStatusCode.CANCELLED;
      case INVALID_ARGUMENT: return FlightStatusCode.INVALID_ARGUMENT;
      case DEADLINE_EXCEEDED: return FlightStatusCode.TIMED_OUT;
      case NOT_FOUND: return FlightStatusCode.NOT_FOUND;
      case ALREADY_EXISTS: return FlightStatusCode.ALREADY_EXISTS;
      case PERMISSION_DENIED: return FlightStatusCode.UNAUTHORIZED;
      case RESOURCE_EXHAUSTED: return FlightStatusCode.RESOURCE_EXHAUSTED;
      // gRPC reads FAILED_PRECONDITION and OUT_OF_RANGE back as INVALID_ARGUMENT; the trailer keeps them apart.
      case FAILED_PRECONDITION: return FlightStatusCode.INVALID_ARGUMENT;
      case OUT_OF_RANGE: return FlightStatusCode.INVALID_ARGUMENT;
      case UNIMPLEMENTED: return FlightStatusCode.UNIMPLEMENTED;
      case UNAVAILABLE: return FlightStatusCode.UNAVAILABLE;
      case UNAUTHENTICATED: return FlightStatusCode.UNAUTHENTICATED;
      case ABORTED: return FlightStatusCode.INTERNAL;
      case INTERNAL: return FlightStatusCode.INTERNAL;
      case DATA_LOSS: return FlightStatusCode.INTERNAL;
      default: return FlightStatusCode.UNKNOWN;
    }
  }

  /** The TensorFlow code a Flight code stands for when no trailer says more. */
  public static StatusCode statusCode(FlightStatusCode code) {
    switch (code) {
      case CANCELLED: return StatusCode.CANCELLED;
      case INVALID_ARGUMENT: return StatusCode.INVALID_ARGUMENT;
      case TIMED_OUT: return StatusCode.DEADLINE_EXCEEDED;
      case NOT_FOUND: return StatusCode.NOT_FOUND;
      case ALREADY_EXISTS: return StatusCode.ALREADY_EXISTS;
      case UNAUTHORIZED: return StatusCode.PERMISSION_DENIED;
      case RESOURCE_EXHAUSTED: return StatusCode.RESOURCE_EXHAUSTED;
      case UNIMPLEMENTED: return StatusCode.UNIMPLEMENTED;
      case UNAVAILABLE: return StatusCode.UNAVAILABLE;
      case UNAUTHENTICATED: return StatusCode.UNAUTHENTICATED;
      case INTERNAL: return StatusCode.INTERNAL;
      default: return StatusCode.UNKNOWN;
    }
  }

  /** A Flight status for {@code code} with {@code message}, carrying the exact code in its trailer. */
  public static CallStatus callStatus(StatusCode code, String message) {
    ErrorFlightMetadata trailer = new ErrorFlightMetadata();
    trailer.insert(STATUS_TRAILER, code.name());
    return flightCode(code).toStatus().withDescription(message).withMetadata(trailer);
  }

  /**
   * The Flight error to send for {@code t}: Quiver errors keep their code and message; Arrow's
   * out-of-memory is RESOURCE_EXHAUSTED; a bad argument is INVALID_ARGUMENT; anything else is INTERNAL.
   */
  public static FlightRuntimeException toFlight(Throwable t) {
    if (t instanceof FlightRuntimeException) {
      return (FlightRuntimeException) t;
    }
    if (t instanceof QuiverException) {
      QuiverException q = (QuiverException) t;
      return callStatus(q.code(), q.getMessage()).withCause(t).toRuntimeException();
    }
    if (t instanceof OutOfMemoryException) {
      return callStatus(StatusCode.RESOURCE_EXHAUSTED, "out of memory: " + t.getMessage()).withCause(t)
          .toRuntimeException();
    }
    if (t instanceof IllegalArgumentException) {
      return callStatus(StatusCode.INVALID_ARGUMENT, t.getMessage()).withCause(t).toRuntimeException();
    }
    return callStatus(StatusCode.INTERNAL, t.getClass().getSimpleName() + ": " + t.getMessage()).withCause(t)
        .toRuntimeException();
  }

  /** The Quiver exception a received Flight error stands for, restoring the exact code from the trailer. */
  public static QuiverException toQuiver(FlightRuntimeException e) {
    CallStatus status = e.status();
    StatusCode code = statusCode(status.code());
    ErrorFlightMetadata trailer = status.metadata();
    if (trailer != null && trailer.containsKey(STATUS_TRAILER)) {
      String name = new String(trailer.getByte(STATUS_TRAILER), StandardCharsets.US_ASCII);
      try {
        code = StatusCode.valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException unknownName) {
        // a newer server's code; the Flight code above is the best we know
      }
    }
    String message = status.description() == null || status.description().isEmpty()
        ? status.code().toString()
        : status.description();
    return QuiverException.of(code, message, e);
  }
}
