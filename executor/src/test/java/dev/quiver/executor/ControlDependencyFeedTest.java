package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Control dependencies on fed tensors. TensorFlow prunes a step's graph by rewriting every fed tensor into a
 * feed (FeedInputs in core/graph/subgraph.cc); it moves the control edges of a fed {@code Placeholder} to the
 * feed, so the placeholder never runs, but leaves those of any other fed op, which still runs when something
 * depends on it by control. Each expectation was observed with TF 2.21's tf.compat.v1 and is checked by
 * executor/src/test/python/session/tf_session_check.py control-dependency-feeds (run) and
 * control-dependency-partial-run (partial runs).
 */
@ExtendWith(LeakCheckedAllocator.class)
class ControlDependencyFeedTest {
  @SessionMatrixTest
  void aFedPlaceholderThatIsAControlDependencyDoesNotRun(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.withName("a").placeholder(DType.FLOAT32, Shape.scalar());
      Output b = f.tf.constant(2f);
      Output y = f.tf.withControlDependencies(a).identity(b);
      // TF 2.21: with tf.control_dependencies([a]): y = tf.identity(b); sess.run(y, {a: 1.0}) == 2.0
      try (Result r = f.session.run(y, Map.of(a, 1f))) {
        assertEquals(2f, r.tensor().getFloat(0));
      }
      // unfed, the placeholder runs and fails as TF's does
      var e = assertThrows(InvalidArgumentException.class, () -> f.session.run(y));
      assertTrue(e.getMessage().contains("You must feed a value for placeholder tensor 'a'"), e.getMessage());
    }
  }

  @SessionMatrixTest
  void aFedOpOtherThanAPlaceholderStillRunsWhenItIsAControlDependency(SessionMatrix config,
                                                                     BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output q = f.tf.withName("q").placeholder(DType.FLOAT32, Shape.scalar());
      Output n = f.tf.withName("n").identity(q);
      Output y = f.tf.withControlDependencies(n).identity(f.tf.constant(2f));
      // TF 2.21: sess.run(y2, {n: 1.0}) runs n, which needs q: "You must feed a value for placeholder tensor 'q'"
      var e = assertThrows(InvalidArgumentException.class, () -> f.session.run(y, Map.of(n, 1f)));
      assertTrue(e.getMessage().contains("You must feed a value for placeholder tensor 'q'"), e.getMessage());

      // TF 2.21: inc = tf.assign_add(v, 1.0) as a control dependency, fed 7.0: the step gives 2.0 and v is 1.0
      Output counted = TestOps.count(f.tf, "fed", f.tf.constant(1f));
      Output z = f.tf.withControlDependencies(counted).identity(f.tf.constant(2f));
      try (Result r = f.session.run(z, Map.of(counted, 7f))) {
        assertEquals(2f, r.tensor().getFloat(0));
      }
      assertEquals(1, TestOps.count("fed"), "the fed op ran for the control dependency");
    }
  }

  @SessionMatrixTest
  void aFedTensorWhoseOpHasUnfedControlInputsDoesNotNeedThem(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output q = f.tf.withName("q").placeholder(DType.FLOAT32, Shape.scalar());
      Output m = f.tf.withControlDependencies(q).identity(f.tf.constant(2f));
      // TF 2.21: with tf.control_dependencies([q]): m = tf.identity(b); sess.run(m + 1, {m: 10.0}) == 11.0
      try (Result r = f.session.run(f.add(m, f.tf.constant(1f)), Map.of(m, 10f))) {
        assertEquals(11f, r.tensor().getFloat(0));
      }
    }
  }

  @SessionMatrixTest
  void aPartialRunWaitsForTheFeedOfAPlaceholderThatIsAControlDependency(SessionMatrix config,
                                                                         BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output p = f.tf.withName("p").placeholder(DType.FLOAT32, Shape.scalar());
      Output q = f.tf.withName("q").placeholder(DType.FLOAT32, Shape.scalar());
      Output y = f.tf.withControlDependencies(p).identity(f.tf.constant(2f));
      Output r = f.add(q, f.tf.constant(1f));
      String h = f.session.partialRunSetup(List.of(y, r), List.of(p, q));
      // TF 2.21 waits forever when y is fetched before p is fed; Quiver names the feed y waits for
      var e = assertThrows(InvalidArgumentException.class, () -> f.session.partialRun(h, y, Map.of(q, 1f)));
      assertTrue(e.getMessage().contains("Fetch p:0 can't be computed from the feeds that have been fed so far."),
          e.getMessage());
      String h2 = f.session.partialRunSetup(List.of(y, r), List.of(p, q));
      // TF 2.21: partial_run(h, y, {p: 1.0}) == 2.0, then partial_run(h, r, {q: 1.0}) == 2.0
      try (Result ry = f.session.partialRun(h2, y, Map.of(p, 1f));
           Result rr = f.session.partialRun(h2, r, Map.of(q, 1f))) {
        assertEquals(2f, ry.tensor().getFloat(0));
        assertEquals(2f, rr.tensor().getFloat(0));
      }
    }
  }
}
