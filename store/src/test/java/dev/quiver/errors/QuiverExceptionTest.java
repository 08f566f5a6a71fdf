package dev.quiver.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The status codes against TensorFlow's, and the exception class for each. */
class QuiverExceptionTest {
  /**
   * TensorFlow's numeric code and Python exception class for each status ({@code error_codes.proto};
   * {@code tf.errors}, as TensorFlow 2.21's {@code exception_type_from_error_code} gives them).
   */
  private static final Map<StatusCode, Map.Entry<Integer, String>> TENSORFLOW = Map.ofEntries(
      Map.entry(StatusCode.CANCELLED, Map.entry(1, "CancelledError")),
      Map.entry(StatusCode.UNKNOWN, Map.entry(2, "UnknownError")),
      Map.entry(StatusCode.INVALID_ARGUMENT, Map.entry(3, "InvalidArgumentError")),
      Map.entry(StatusCode.DEADLINE_EXCEEDED, Map.entry(4, "DeadlineExceededError")),
      Map.entry(StatusCode.NOT_FOUND, Map.entry(5, "NotFoundError")),
      Map.entry(StatusCode.ALREADY_EXISTS, Map.entry(6, "AlreadyExistsError")),
      Map.entry(StatusCode.PERMISSION_DENIED, Map.entry(7, "PermissionDeniedError")),
      Map.entry(StatusCode.RESOURCE_EXHAUSTED, Map.entry(8, "ResourceExhaustedError")),
      Map.entry(StatusCode.FAILED_PRECONDITION, Map.entry(9, "FailedPreconditionError")),
      Map.entry(StatusCode.ABORTED, Map.entry(10, "AbortedError")),
      Map.entry(StatusCode.OUT_OF_RANGE, Map.entry(11, "OutOfRangeError")),
      Map.entry(StatusCode.UNIMPLEMENTED, Map.entry(12, "UnimplementedError")),
      Map.entry(StatusCode.INTERNAL, Map.entry(13, "InternalError")),
      Map.entry(StatusCode.UNAVAILABLE, Map.entry(14, "UnavailableError")),
      Map.entry(StatusCode.DATA_LOSS, Map.entry(15, "DataLossError")),
      Map.entry(StatusCode.UNAUTHENTICATED, Map.entry(16, "UnauthenticatedError")));

  @Test
  void everyCodeHasTensorFlowsNumberAndName() {
    assertEquals(EnumSet.allOf(StatusCode.class), EnumSet.copyOf(TENSORFLOW.keySet()), "the table covers every code");
    for (StatusCode c : StatusCode.values()) {
      assertEquals(TENSORFLOW.get(c).getKey(), c.value(), c.name());
      assertEquals(TENSORFLOW.get(c).getValue(), c.tfName() + "Error", c.name());
    }
  }

  @Test
  void ofBuildsTheSubclassNamedForEachCodeCarryingMessageAndCause() {
    Set<Class<?>> classes = new HashSet<>();
    for (StatusCode c : StatusCode.values()) {
      IllegalStateException cause = new IllegalStateException("underneath");
      QuiverException e = QuiverException.of(c, "handle 'x' is bad", cause);
      assertEquals(c.tfName() + "Exception", e.getClass().getSimpleName(), c.name());
      assertSame(QuiverException.class, e.getClass().getSuperclass(), c.name());
      assertEquals(c, e.code());
      assertEquals("handle 'x' is bad", e.getMessage());
      assertSame(cause, e.getCause());
      assertEquals(e.getClass().getSimpleName() + " (" + c.tfName() + "): handle 'x' is bad", e.toString());
      assertTrue(classes.add(e.getClass()), "one class per code: " + e.getClass());
    }
  }

  @Test
  void eachSubclassCarriesItsOwnCodeWhenThrownDirectly() {
    Map<StatusCode, QuiverException> direct = Map.ofEntries(
        Map.entry(StatusCode.CANCELLED, new CancelledException("m")),
        Map.entry(StatusCode.UNKNOWN, new UnknownException("m")),
        Map.entry(StatusCode.INVALID_ARGUMENT, new InvalidArgumentException("m")),
        Map.entry(StatusCode.DEADLINE_EXCEEDED, new DeadlineExceededException("m")),
        Map.entry(StatusCode.NOT_FOUND, new NotFoundException("m")),
        Map.entry(StatusCode.ALREADY_EXISTS, new AlreadyExistsException("m")),
        Map.entry(StatusCode.PERMISSION_DENIED, new PermissionDeniedException("m")),
        Map.entry(StatusCode.RESOURCE_EXHAUSTED, new ResourceExhaustedException("m")),
        Map.entry(StatusCode.FAILED_PRECONDITION, new FailedPreconditionException("m")),
        Map.entry(StatusCode.ABORTED, new AbortedException("m")),
        Map.entry(StatusCode.OUT_OF_RANGE, new OutOfRangeException("m")),
        Map.entry(StatusCode.UNIMPLEMENTED, new UnimplementedException("m")),
        Map.entry(StatusCode.INTERNAL, new InternalException("m")),
        Map.entry(StatusCode.UNAVAILABLE, new UnavailableException("m")),
        Map.entry(StatusCode.DATA_LOSS, new DataLossException("m")),
        Map.entry(StatusCode.UNAUTHENTICATED, new UnauthenticatedException("m")));
    assertEquals(EnumSet.allOf(StatusCode.class), EnumSet.copyOf(direct.keySet()));
    direct.forEach((c, e) -> {
      assertEquals(c, e.code(), e.getClass().getSimpleName());
      assertSame(QuiverException.of(c, "m", null).getClass(), e.getClass());
    });
  }
}
