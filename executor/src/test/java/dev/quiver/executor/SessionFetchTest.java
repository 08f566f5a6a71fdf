package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.NotFoundException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fetch structures and fetch errors of Session.run; expectations from the Session page and TF 2.21's tf.compat.v1,
 * each checked by the check of executor/src/test/python/session/tf_session_check.py its comment names.
 */
@ExtendWith(LeakCheckedAllocator.class)
class SessionFetchTest {
  @SessionMatrixTest
  void fetchingAnOperationRunsItAndGivesNull(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output x = TestOps.count(f.tf, "fetchOp", f.tf.constant(1f));
      try (Result r = f.session.run(x.op())) {
        // seed: "A tf.Operation. The corresponding fetched value will be None." (tf_session_check.py fetch-names)
        assertNull(r.value());
      }
      assertEquals(1, TestOps.count("fetchOp"));
    }
  }

  @SessionMatrixTest
  void stringsNameTensorsAndOps(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      f.tf.withName("c").constant(new float[] {1, 2});
      try (Result r = f.session.run(List.of("c:0", "c"))) {
        assertArrayEquals(new float[] {1, 2}, r.get(0).toFloatArray());
        assertNull(r.element(1)); // "c" names the op (tf_session_check.py fetch-names)
      }
    }
  }

  @SessionMatrixTest
  void aNameNotInTheGraphIsNotFoundWithTensorFlowsWords(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      f.tf.withName("c").constant(1f);
      // TF 2.21 (tf_session_check.py fetch-unknown-name): ValueError: Argument `fetch` = x:0 cannot be interpreted
      // as a Tensor. ("The name 'x:0' refers to a Tensor which does not exist. The operation, 'x', does not exist in
      // the graph.")
      var e = assertThrows(NotFoundException.class, () -> f.session.run("x:0"));
      assertTrue(e.getMessage().startsWith("Argument `fetch` = x:0 cannot be interpreted as a Tensor."), e.getMessage());
      assertTrue(e.getMessage().contains("The operation, 'x', does not exist in the graph."), e.getMessage());
      // TF: ("The name 'x' refers to an Operation not in the graph.") and "... exists but only has 1 outputs."
      assertTrue(assertThrows(NotFoundException.class, () -> f.session.run("x")).getMessage()
          .contains("The name 'x' refers to an Operation not in the graph."));
      assertTrue(assertThrows(NotFoundException.class, () -> f.session.run("c:5")).getMessage()
          .contains("The operation, 'c', exists but only has 1 outputs."));
    }
  }

  @SessionMatrixTest
  void fetchesOfInvalidTypeAreIllegalArguments(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      // TF 2.21 (tf_session_check.py fetch-invalid-type): TypeError: Argument `fetch` = 3 has invalid type "int"
      // must be a string or Tensor. (Can not convert a int into a Tensor or Operation.)
      var e = assertThrows(IllegalArgumentException.class, () -> f.session.run(3));
      assertTrue(e.getMessage().contains("Argument `fetch` = 3 has invalid type \"Integer\""), e.getMessage());
      // TF: TypeError: Argument `fetch` = None has invalid type "NoneType". Cannot be None
      assertThrows(IllegalArgumentException.class, () -> f.session.run(Arrays.asList(f.tf.constant(1f), null)));
    }
  }

  @SessionMatrixTest
  void elementsOfAnotherGraphAreIllegalArguments(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator); Graph other = new Graph(allocator)) {
      Output foreign = Ops.create(other).constant(1f);
      // TF (tf_session_check.py fetch-other-graph): ValueError "... is not an element of this graph."
      var e = assertThrows(IllegalArgumentException.class, () -> f.session.run(foreign));
      assertTrue(e.getMessage().contains("is not an element of this graph"), e.getMessage());
    }
  }

  @SessionMatrixTest
  void aTensorFetchedTwiceIsComputedOnceAndIsOneObjectAtEveryLeaf(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output x = TestOps.count(f.tf, "twice", f.tf.constant(2f));
      Tensor kept;
      // TF 2.21 (tf_session_check.py fetch-twice): r = sess.run([c, c, {"k": c}]) gives r[0] is r[1] and
      // r[0] is r[2]["k"], and c's op runs once
      try (Result r = f.session.run(List.of(x, x, Map.of("k", x)))) {
        assertSame(r.get(0), r.get(1));
        assertSame(r.get(0), ((Map<?, ?>) r.element(2)).get("k"));
        assertEquals(2f, r.get(0).getFloat(0));
        kept = r.get(1).share();
        r.get(0).close(); // closing one leaf closes the one tensor; the result's own close stays safe
        assertTrue(r.get(1).isClosed());
      }
      try (kept) {
        assertEquals(2f, kept.getFloat(0), "closing the result leaves a shared copy valid");
      }
      assertEquals(1, TestOps.count("twice"));
    }
  }

  @SessionMatrixTest
  void onlyTheOpsTheFetchesNeedRun(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output needed = TestOps.count(f.tf, "needed", f.tf.constant(1f));
      TestOps.count(f.tf, "unneeded", needed);
      try (Result r = f.session.run(needed)) {
        assertEquals(1f, r.tensor().getFloat(0));
      }
      assertEquals(1, TestOps.count("needed"));
      assertEquals(0, TestOps.count("unneeded"));
    }
  }

  @SessionMatrixTest
  void aFedTensorIsNotComputedAndItsProducerDoesNotRun(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output x = TestOps.count(f.tf, "overridden", f.tf.constant(1f));
      Output y = f.mul(x, f.tf.constant(3f));
      try (Result r = f.session.run(List.of(y, x), Map.of(x, 5f))) {
        assertEquals(15f, r.get(0).getFloat(0));
        // TF (tf_session_check.py fetch-fed-tensor): fetching a fed tensor returns the fed value
        assertEquals(5f, r.get(1).getFloat(0));
      }
      assertEquals(0, TestOps.count("overridden"));
    }
  }

  @SessionMatrixTest
  void anEmptyListFetchesAnEmptyList(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator); Result r = f.session.run(List.of())) {
      assertEquals(List.of(), r.value()); // TF (tf_session_check.py fetch-structures): sess.run([]) == []
    }
  }

  @SessionMatrixTest
  void mapsKeepTheirKeyOrderAndArraysComeBackAsArrays(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.constant(1f);
      Output b = f.tf.constant(2f);
      // TF (tf_session_check.py fetch-structures): a dict keeps its key order, a namedtuple comes back as one
      Map<String, Object> fetches = new LinkedHashMap<>();
      fetches.put("z", a);
      fetches.put("a", new Object[] {b, a.op()});
      try (Result r = f.session.run(fetches)) {
        Map<?, ?> m = r.as(Map.class);
        assertEquals(List.of("z", "a"), List.copyOf(m.keySet()));
        Object[] arr = assertInstanceOf(Object[].class, m.get("a"));
        assertEquals(2f, ((Tensor) arr[0]).getFloat(0));
        assertNull(arr[1]);
        assertEquals(1f, r.get("z").getFloat(0));
      }
    }
  }

  record Typed(Output x) {
  }

  @SessionMatrixTest
  void aRecordWhoseComponentCannotHoldTheValueIsRefusedWithoutLeaking(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.constant(1f);
      var e = assertThrows(IllegalArgumentException.class, () -> f.session.run(new Typed(a)));
      assertTrue(e.getMessage().contains("declared Output"), e.getMessage());
    }
  }

  @SessionMatrixTest
  void aSparseTensorIsFetchedAsASparseTensorValue(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      SparseTensor sp = new SparseTensor(f.tf.constant(new long[][] {{0, 0}, {1, 2}}),
          f.tf.constant(new float[] {1, 2}), f.tf.constant(new long[] {3, 4}));
      // TF (tf_session_check.py fetch-sparse): a SparseTensorValue
      try (Result r = f.session.run(sp)) {
        SparseTensorValue v = r.as(SparseTensorValue.class);
        assertEquals(Shape.of(2, 2), v.indices().shape());
        assertArrayEquals(new float[] {1, 2}, v.values().toFloatArray());
        assertArrayEquals(new long[] {3, 4}, v.denseShape().toLongArray());
      }
    }
  }

  @SessionMatrixTest
  void aSparseTensorIsFedWithASparseTensorValue(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      SparseTensor sp = new SparseTensor(f.tf.placeholder(DType.INT64, Shape.of(-1, 2)),
          f.tf.placeholder(DType.FLOAT32, Shape.of(-1)), f.tf.placeholder(DType.INT64, Shape.of(2)));
      try (Tensor i = Tensor.of(allocator, new long[] {0, 1}, 1, 2);
           Tensor v = Tensor.of(allocator, new float[] {5});
           Tensor d = Tensor.of(allocator, new long[] {2, 2});
           Result r = f.session.run(sp.values(), Map.of(sp, new SparseTensorValue(i, v, d)))) {
        assertArrayEquals(new float[] {5}, r.tensor().toFloatArray());
      }
    }
  }
}
