package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.DeadlineExceededException;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * partial_run errors, worded as TF 2.21's DirectSession words them (all InvalidArgumentError), each checked by the
 * check of executor/src/test/python/session/tf_session_check.py its comment names.
 */
@ExtendWith(LeakCheckedAllocator.class)
class PartialRunTest {
  private static final class Graph3 {
    final Output x;
    final Output y;
    final Output z;
    final Output r1;
    final Output r2;

    Graph3(SessionFixture f) {
      x = f.tf.withName("x").placeholder(DType.FLOAT32, Shape.scalar());
      y = f.tf.withName("y").placeholder(DType.FLOAT32, Shape.scalar());
      z = f.tf.withName("z").placeholder(DType.FLOAT32, Shape.scalar());
      r1 = f.tf.withName("r1").identity(f.add(x, y));
      r2 = f.tf.withName("r2").identity(f.mul(r1, z));
    }
  }

  private static void assertInvalid(String expected, org.junit.jupiter.api.function.Executable call) {
    var e = assertThrows(InvalidArgumentException.class, call);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @SessionMatrixTest
  void aFetchThatNeedsAFeedNotGivenYetNamesTheFeed(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Graph3 g = new Graph3(f);
      String h = f.session.partialRunSetup(List.of(g.r1, g.r2), List.of(g.x, g.y, g.z));
      // TF 2.21 (tf_session_check.py partial-run-rules): Fetch z:0 can't be computed from the feeds that have been
      // fed so far.
      assertInvalid("Fetch z:0 can't be computed from the feeds that have been fed so far.",
          () -> f.session.partialRun(h, g.r2, Map.of(g.x, 1f, g.y, 2f)));
    }
  }

  @SessionMatrixTest
  void feedsAndFetchesMustBeDeclaredAndUsedOnce(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Graph3 g = new Graph3(f);
      Output other = f.tf.withName("other").placeholder(DType.FLOAT32);
      String h = f.session.partialRunSetup(List.of(g.r1, g.r2), List.of(g.x, g.y, g.z));
      // TF 2.21 (tf_session_check.py partial-run-rules), every message
      assertInvalid("The feed other:0 was not specified in partial_run_setup.",
          () -> f.session.partialRun(h, g.r1, Map.of(other, 1f)));
      assertInvalid("The fetch other:0 was not specified in partial_run_setup.",
          () -> f.session.partialRun(h, other, Map.of(g.x, 1f, g.y, 2f)));
      try (Result r = f.session.partialRun(h, g.r1, Map.of(g.x, 1f, g.y, 2f))) {
        assertEquals(3f, r.tensor().getFloat(0));
      }
      assertInvalid("The feed x:0 has already been fed.", () -> f.session.partialRun(h, g.r2, Map.of(g.x, 1f)));
      assertInvalid("The fetch r1:0 has already been fetched.",
          () -> f.session.partialRun(h, g.r1, Map.of(g.z, 3f)));
      try (Result r = f.session.partialRun(h, g.r2, Map.of(g.z, 3f))) {
        assertEquals(9f, r.tensor().getFloat(0));
      }
      // TF 2.21: once every feed was fed and every fetch fetched, the handle is gone:
      // InvalidArgumentError: Must run 'setup' before performing partial runs!
      assertInvalid("Must run 'setup' before performing partial runs!", () -> f.session.partialRun(h, g.r2, null));
    }
  }

  @SessionMatrixTest
  void operationsToRunBelongInTheSetupNotInAPartialRun(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Graph3 g = new Graph3(f);
      Output side = TestOps.count(f.tf, "setupTarget", g.x);
      String h = f.session.partialRunSetup(List.of(g.r1, side.op()), List.of(g.x, g.y));
      // TF 2.21 (tf_session_check.py partial-run-target-op): RuntimeError: partial_run() requires empty
      // `target_list`. Received: target_list=[<tf.Operation 'r1' type=Identity>] (non-empty), even for an op
      // declared in the setup
      var e = assertThrows(IllegalStateException.class, () -> f.session.partialRun(h, g.r1.op(), Map.of(g.x, 1f)));
      assertTrue(e.getMessage().contains("partial_run() requires empty `target_list`. Received: target_list=[<tf."
          + "Operation 'r1' type=Identity>] (non-empty)"), e.getMessage());
      // an op given to the setup runs as soon as its inputs are fed (partial-run-target-op too)
      try (Result r = f.session.partialRun(h, g.r1, Map.of(g.x, 1f, g.y, 2f))) {
        assertEquals(3f, r.tensor().getFloat(0));
      }
      assertEquals(1, TestOps.count("setupTarget"));
    }
  }

  @SessionMatrixTest
  @Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang, not a speed: partial runs used to have no deadline
  void eachCallIsBoundByTheOperationTimeout(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator, SessionConfig.builder().operationTimeoutInMs(50))) {
      Output x = f.tf.withName("x").placeholder(DType.FLOAT32, Shape.scalar());
      Output slow = TestOps.block(f.tf, "partialDeadline", x);
      Output quick = f.add(x, x);
      String h = f.session.partialRunSetup(List.of(quick, slow), List.of(x));
      // TF 2.21 with ConfigProto(operation_timeout_in_ms=50) (tf_session_check.py partial-run-timeout):
      // DeadlineExceededError: Timed out waiting for notification; the failed partial run is over
      var e = assertThrows(DeadlineExceededException.class, () -> f.session.partialRun(h, slow, Map.of(x, 1f)));
      assertTrue(e.getMessage().contains("Timed out waiting for notification"), e.getMessage());
      assertInvalid("Must run 'setup' before performing partial runs!", () -> f.session.partialRun(h, quick, null));
    }
  }

  @SessionMatrixTest
  void anUnknownHandleIsRefused(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Graph3 g = new Graph3(f);
      // TF 2.21 (tf_session_check.py partial-run-rules)
      assertInvalid("Must run 'setup' before performing partial runs!",
          () -> f.session.partialRun("nope", g.r2, null));
    }
  }

  @SessionMatrixTest
  void closingTheSessionEndsUnfinishedPartialRunsAndFreesTheirTensors(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Graph3 g = new Graph3(f);
      String h = f.session.partialRunSetup(List.of(g.r1, g.r2), List.of(g.x, g.y, g.z));
      f.session.partialRun(h, List.of(), Map.of(g.x, 1f, g.y, 2f)).close(); // r1 computed, held for later
      f.session.close();
    } // the fixture checks that nothing is left
  }

  @SessionMatrixTest
  void independentPartialRunsOfOneSetupDoNotInterfere(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Graph3 g = new Graph3(f);
      // TF 2.21 (tf_session_check.py partial-run-rules): 2.0 and 10.0
      String h1 = f.session.partialRunSetup(List.of(g.r1), List.of(g.x, g.y));
      String h2 = f.session.partialRunSetup(List.of(g.r1), List.of(g.x, g.y));
      try (Result a = f.session.partialRun(h1, g.r1, Map.of(g.x, 1f, g.y, 1f));
           Result b = f.session.partialRun(h2, g.r1, Map.of(g.x, 5f, g.y, 5f))) {
        assertEquals(2f, a.tensor().getFloat(0));
        assertEquals(10f, b.tensor().getFloat(0));
      }
    }
  }

  @Test
  void independentLargeOpsOfAPartialRunRunAtTheSameTime(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator, SessionConfig.builder().interOpThreads(4))) {
      // Two ops that each wait for the other: the call finishes only if they run on two threads at once.
      TestOps.BARRIERS.put("partial-pair", new java.util.concurrent.CyclicBarrier(2));
      Output big = f.tf.placeholder(DType.FLOAT32, Shape.of(-1));
      Output x = TestOps.rendezvous(f.tf, "partial-pair", f.tf.identity(big));
      Output y = TestOps.rendezvous(f.tf, "partial-pair", f.tf.identity(big));
      Output z = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output w = f.add(z, z);
      String h = f.session.partialRunSetup(List.of(x, y, w), List.of(big, z));
      try (Result r = f.session.partialRun(h, List.of(x, y), Map.of(big, new float[1 << 16]));
           Result r2 = f.session.partialRun(h, w, Map.of(z, 2f))) {
        assertEquals(1 << 16, r.get(0).numElements());
        assertEquals(1 << 16, r.get(1).numElements());
        assertEquals(4f, r2.tensor().getFloat(0));
      }
    }
  }
}
