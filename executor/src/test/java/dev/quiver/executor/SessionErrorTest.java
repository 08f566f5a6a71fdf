package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.CancelledException;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Errors of steps and sessions: status classes, op names in messages, nothing leaked. The TensorFlow behaviour
 * quoted is checked by the check of executor/src/test/python/session/tf_session_check.py each comment names.
 */
@ExtendWith(LeakCheckedAllocator.class)
class SessionErrorTest {
  @SessionMatrixTest
  void aKernelErrorKeepsItsStatusAndNamesTheOp(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output x = TestOps.fail(f.tf.withName("bad"), f.tf.constant(new float[] {1, 2}));
      // TF appends the node to kernel errors: "... [[{{node bad}}]]" (tf_session_check.py unfed-placeholder quotes
      // one); Quiver's "[[node bad ...]]" names the op's type too
      var e = assertThrows(InvalidArgumentException.class, () -> f.session.run(x));
      assertTrue(e.getMessage().contains("the test kernel refuses its input"), e.getMessage());
      assertTrue(e.getMessage().contains("[[node bad"), e.getMessage());
    }
  }

  @SessionMatrixTest
  void aFailedStepFreesEveryIntermediateAndTheSessionStaysUsable(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output big = f.tf.constant(new float[1024]);
      Output ok = f.mul(big, big);
      Output bad = TestOps.fail(f.tf, ok);
      assertThrows(InvalidArgumentException.class, () -> f.session.run(List.of(ok, bad)));
      try (Result r = f.session.run(ok)) {
        assertEquals(1024, r.tensor().numElements());
      }
    }
  }

  @SessionMatrixTest
  void badShapesOfAKernelAreInvalidArgumentNamingTheOp(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.unknown());
      Output b = f.tf.placeholder(DType.FLOAT32, Shape.unknown());
      Output m = f.tf.withName("prod").scope().addOp("Mul", "Mul", null, a, b).output(0);
      var e = assertThrows(InvalidArgumentException.class,
          () -> f.session.run(m, Map.of(a, new float[] {1, 2}, b, new float[] {1, 2, 3})));
      assertTrue(e.getMessage().contains("prod"), e.getMessage());
    }
  }

  @SessionMatrixTest
  void aClosedSessionRefusesEveryCallWithTensorFlowsRuntimeError(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output c = f.tf.constant(1f);
      f.session.close();
      // TF 2.21 (tf_session_check.py closed-session): RuntimeError: Attempted to use a closed Session.
      var e = assertThrows(IllegalStateException.class, () -> f.session.run(c));
      assertEquals("Attempted to use a closed Session.", e.getMessage());
      assertThrows(IllegalStateException.class, () -> f.session.partialRunSetup(c, null));
      assertThrows(IllegalStateException.class, () -> f.session.partialRun("any", c, null));
      // TF makes the callable and fails when it is called; Quiver fails at once
      assertThrows(IllegalStateException.class, () -> f.session.makeCallable(c, null));
      assertThrows(IllegalStateException.class, f.session::runner);
      // TF: list_devices raises CancelledError "Session has been closed." (the seed: an OpError for "a session in
      // an invalid state")
      assertEquals("Session has been closed.", assertThrows(CancelledException.class, f.session::listDevices)
          .getMessage());
      f.session.close(); // TF: closing twice is harmless
    }
  }

  @Test
  void otherTargetsAreRefusedUntilRemoteSessionsExist(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      // TF 2.21 (tf_session_check.py unknown-target): NotFoundError: No session factory registered for the given
      // session options: {target: "bogus://x" ...; TF accepts grpc:// targets, which Quiver does not have yet
      var e = assertThrows(NotFoundException.class, () -> new Session("grpc://localhost:2222", g, null));
      assertTrue(e.getMessage().contains("No session factory registered"), e.getMessage());
      assertTrue(e.getMessage().contains("grpc://localhost:2222"), e.getMessage());
    }
  }

  @SessionMatrixTest
  void sessStrIsTheTargetAndGraphDefDescribesTheGraph(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      f.tf.withName("c").constant(1f);
      assertEquals("", f.session.sessStr()); // TF (tf_session_check.py session-attributes): sess.sess_str == b''
      assertEquals(List.of("c"), f.session.graphDef().nodeNames());
      assertEquals(f.graph, f.session.graph());
    }
  }
}
