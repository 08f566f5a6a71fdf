package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** Errors of steps and sessions: status classes, op names in messages, nothing leaked. */
@ExtendWith(LeakCheckedAllocator.class)
class SessionErrorTest {
  @SessionMatrixTest
  void aKernelErrorKeepsItsStatusAndNamesTheOp(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output x = TestOps.fail(f.tf.withName("bad"), f.tf.constant(new float[] {1, 2}));
      // TF appends the node to kernel errors: "... [[{{node bad}}]]"
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
      // TF: RuntimeError: Attempted to use a closed Session.
      var e = assertThrows(IllegalStateException.class, () -> f.session.run(c));
      assertEquals("Attempted to use a closed Session.", e.getMessage());
      assertThrows(IllegalStateException.class, () -> f.session.partialRunSetup(c, null));
      assertThrows(IllegalStateException.class, () -> f.session.makeCallable(c, null));
      assertThrows(IllegalStateException.class, f.session::runner);
      assertThrows(IllegalStateException.class, f.session::listDevices);
      f.session.close(); // TF: closing twice is harmless
    }
  }

  @Test
  void otherTargetsAreRefusedUntilRemoteSessionsExist(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      // TF 2.21: NotFoundError: No session factory registered for the given session options: {target: "bogus://x" ...
      var e = assertThrows(NotFoundException.class, () -> new Session("grpc://localhost:2222", g, null));
      assertTrue(e.getMessage().contains("No session factory registered"), e.getMessage());
      assertTrue(e.getMessage().contains("grpc://localhost:2222"), e.getMessage());
    }
  }

  @SessionMatrixTest
  void sessStrIsTheTargetAndGraphDefDescribesTheGraph(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      f.tf.withName("c").constant(1f);
      assertEquals("", f.session.sessStr()); // TF: sess.sess_str == b''
      assertEquals(List.of("c"), f.session.graphDef().nodeNames());
      assertEquals(f.graph, f.session.graph());
    }
  }
}
