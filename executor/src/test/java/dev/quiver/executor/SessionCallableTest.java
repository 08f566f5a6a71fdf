package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.DeadlineExceededException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * make_callable and the Runner; expectations from the Session page and TF 2.21, each checked by the check of
 * executor/src/test/python/session/tf_session_check.py its comment names.
 */
@ExtendWith(LeakCheckedAllocator.class)
class SessionCallableTest {
  @SessionMatrixTest
  void aCallableReturnsWhatRunWould(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output b = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output y = f.add(f.mul(a, b), f.tf.constant(1f));
      // TF (tf_session_check.py callable): make_callable([y, y.op], [a, b])(3., 2.) == [7., None]
      SessionCallable call = f.session.makeCallable(List.of(y, y.op()), List.of(a, b));
      for (int i = 0; i < 5; i++) {
        try (Result r = call.call((float) i, 2f)) {
          assertEquals(2f * i + 1, r.get(0).getFloat(0));
          assertNull(r.element(1)); // seed: an Operation fetch gives None
        }
      }
    }
  }

  @SessionMatrixTest
  void aCallableOfASingleTensorReturnsATensor(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.withName("a").placeholder(DType.FLOAT32, Shape.of(2));
      Output m = f.mul(a, f.tf.constant(3f));
      // TF 2.21 (tf_session_check.py callable): sess.make_callable(m, ["a:0"])([1., 2.]) == [3., 6.]
      try (Result r = f.session.makeCallable(m, List.of("a:0")).call((Object) new float[] {1, 2})) {
        assertArrayEquals(new float[] {3, 6}, r.tensor().toFloatArray());
      }
    }
  }

  @SessionMatrixTest
  void aCallableChecksItsArgumentCount(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32);
      SessionCallable call = f.session.makeCallable(a, List.of(a));
      // TF 2.21 (tf_session_check.py callable-arity) fails later, with the unfed placeholder's InvalidArgumentError,
      // and ignores extra arguments; Java checks the arity up front.
      assertThrows(IllegalArgumentException.class, call::call);
    }
  }

  @SessionMatrixTest
  void aTensorListedTwiceInTheFeedListTakesTheLaterValue(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.withName("a").placeholder(DType.FLOAT32, Shape.scalar());
      Output y = f.mul(a, f.tf.constant(2f));
      // TF 2.21 (tf_session_check.py callable): sess.make_callable(y, [a, a])(1., 2.) == 4.0, and so with [a, "a:0"]
      SessionCallable twice = f.session.makeCallable(y, List.of(a, a));
      assertEquals(2, twice.numFeeds());
      try (Result r = twice.call(1f, 2f)) {
        assertEquals(4f, r.tensor().getFloat(0));
      }
      try (Result r = f.session.makeCallable(y, List.of(a, "a:0")).call(1f, 2f)) {
        assertEquals(4f, r.tensor().getFloat(0));
      }
      assertThrows(IllegalArgumentException.class, () -> twice.call(1f));
    }
  }

  @SessionMatrixTest
  void optionsNeedAcceptOptions(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output c = f.tf.constant(1f);
      RunOptions trace = RunOptions.builder().traceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
      // seed: "If True, the returned Callable will be able to accept RunOptions and RunMetadata"; TF's callable
      // made without it raises TypeError (tf_session_check.py callable-options)
      assertThrows(IllegalStateException.class,
          () -> f.session.makeCallable(c, null, false).call(trace, new RunMetadata()));
      RunMetadata md = new RunMetadata();
      try (Result r = f.session.makeCallable(c, null, true).call(trace, md)) {
        assertEquals(1f, r.tensor().getFloat(0));
      }
      assertEquals(1, md.stepStats().size());
    }
  }

  @SessionMatrixTest
  void aCallableFailsOnceTheSessionIsClosed(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      SessionCallable call = f.session.makeCallable(f.tf.constant(1f), null);
      f.session.close();
      // TF (tf_session_check.py closed-session): RuntimeError: Attempted to use a closed Session.
      assertEquals("Attempted to use a closed Session.", assertThrows(IllegalStateException.class, call::call)
          .getMessage());
    }
  }

  @SessionMatrixTest
  void aSparseTensorInTheFeedListTakesASparseTensorValue(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      SparseTensor sp = new SparseTensor(f.tf.placeholder(DType.INT64, Shape.of(-1, 2)),
          f.tf.placeholder(DType.FLOAT32, Shape.of(-1)), f.tf.placeholder(DType.INT64, Shape.of(2)));
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output scaled = f.mul(f.tf.identity(sp.values()), a);
      // TF 2.21 (tf_session_check.py callable-sparse-feed): a SparseTensor in feed_list takes a SparseTensorValue
      SessionCallable call = f.session.makeCallable(scaled, List.of(sp, a));
      assertEquals(2, call.numFeeds());
      try (Tensor i = Tensor.of(allocator, new long[] {0, 0, 1, 1}, 2, 2);
           Tensor v = Tensor.of(allocator, new float[] {2, 3});
           Tensor d = Tensor.of(allocator, new long[] {2, 2})) {
        for (float k = 1; k <= 3; k++) {
          try (Result r = call.call(new SparseTensorValue(i, v, d), k)) {
            assertArrayEquals(new float[] {2 * k, 3 * k}, r.tensor().toFloatArray());
          }
        }
        var e = assertThrows(IllegalArgumentException.class, () -> call.call(v, 1f));
        assertTrue(e.getMessage().contains("must be a SparseTensorValue"), e.getMessage());
      }
      // a List of keys takes a List of values, as a feed dict's
      SessionCallable listed = f.session.makeCallable(f.mul(a, a), List.of(List.of(a)));
      try (Result r = listed.call(List.of(3f))) {
        assertEquals(9f, r.tensor().getFloat(0));
      }
      // the callable keeps the keys as they were when it was made, however the caller's lists change later
      List<Object> inner = new java.util.ArrayList<>(List.of(a));
      SessionCallable kept = f.session.makeCallable(f.mul(a, a), List.of(inner));
      inner.set(0, f.tf.placeholder(DType.FLOAT32, Shape.scalar()));
      try (Result r = kept.call(List.of(5f))) {
        assertEquals(25f, r.tensor().getFloat(0));
      }
    }
  }

  @SessionMatrixTest
  void theRunnerFeedsFetchesAndRunsTargetsByName(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.withName("a").placeholder(DType.FLOAT32, Shape.scalar());
      f.tf.withName("y").identity(f.mul(a, f.tf.constant(4f)));
      TestOps.count(f.tf.withName("side"), "runnerTarget", f.tf.constant(1f));
      try (Result r = f.session.runner().feed("a", 2f).fetch("y").fetch("a:0").addTarget("side").run()) {
        assertEquals(8f, r.get(0).getFloat(0));
        assertEquals(2f, r.get(1).getFloat(0));
      }
      assertEquals(1, TestOps.count("runnerTarget"));
    }
  }

  @SessionMatrixTest
  void theRunnersOptionsSetTheStepsDeadline(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output x = TestOps.block(f.tf.withName("slow"), "runnerDeadline", f.tf.constant(new float[] {1, 2}));
      RunOptions deadline = RunOptions.builder().timeoutInMs(50).build();
      // TF 2.21 (tf_session_check.py run-timeout): DeadlineExceededError: Timed out waiting for notification
      var e = assertThrows(DeadlineExceededException.class,
          () -> f.session.runner().fetch(x).setOptions(deadline).run());
      assertTrue(e.getMessage().contains("Timed out waiting for notification"), e.getMessage());
      try (Result r = f.session.runner().fetch(f.tf.constant(2f)).setOptions(deadline).run()) {
        assertEquals(2f, r.get(0).getFloat(0), "a step within its deadline runs");
      }
    }
  }

  @SessionMatrixTest
  void runAndFetchMetadataTracesTheStep(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output y = f.tf.withName("y").identity(f.tf.withName("c").constant(1f));
      try (Result r = f.session.runner().fetch(y).runAndFetchMetadata()) {
        List<String> ran = r.metadata().stepStats().stream().map(NodeStats::nodeName).sorted().toList();
        assertEquals(List.of("c", "y"), ran);
        assertFalse(r.metadata().toChromeTrace().isEmpty());
      }
    }
  }
}
