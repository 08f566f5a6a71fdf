package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Graph building: naming, lookup, scopes, build-time shape checks. Names follow tf.compat.v1's Graph.unique_name, as
 * executor/src/test/python/session/tf_session_check.py op-names and multiply-names check them.
 */
@ExtendWith(LeakCheckedAllocator.class)
class GraphTest {
  @Test
  void repeatedDefaultNamesGetTensorFlowSuffixes(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      // TF 2.21 (tf_session_check.py op-names): tf.constant(1.) three times is Const, Const_1, Const_2
      assertEquals("Const", tf.constant(1f).op().name());
      assertEquals("Const_1", tf.constant(2f).op().name());
      assertEquals("Const_2", tf.constant(3f).op().name());
    }
  }

  @Test
  void explicitNamesAreMadeUniqueCaseInsensitively(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      // TF 2.21 (op-names): tf.constant(1., name="c") twice gives c and c_1; "C" collides with "c" (names_in_use is
      // lowercased)
      assertEquals("c", tf.withName("c").constant(1f).op().name());
      assertEquals("c_1", tf.withName("c").constant(1f).op().name());
      assertEquals("C_2", tf.withName("C").constant(1f).op().name());
    }
  }

  @Test
  void aTakenSuffixIsSkipped(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      // TF 2.21 (op-names): constants named a_1 then a then a: the third becomes a_2 because a_1 is taken
      tf.withName("a_1").constant(1f);
      tf.withName("a").constant(1f);
      assertEquals("a_2", tf.withName("a").constant(1f).op().name());
    }
  }

  @Test
  void nameScopesPrefixOpsAndAreUniqueThemselves(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      Ops layer = tf.withSubScope("layer");
      assertEquals("layer/Const", layer.constant(1f).op().name());
      assertEquals("layer/inner/x", layer.withSubScope("inner").withName("x").constant(1f).op().name());
      // TF 2.21 (op-names): a second tf.name_scope("layer") opens layer_1/
      assertEquals("layer_1/Const", tf.withSubScope("layer").constant(1f).op().name());
    }
  }

  @Test
  void multiplyIsNamedAsPythonsOperator(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      Output a = tf.constant(2f);
      Output b = tf.constant(3f);
      // TF 2.21 (tf_session_check.py multiply-names): a * b is named mul, then mul_1, and layer/mul under
      // tf.name_scope("layer"); a + b and a - b are add and sub. Java has no operators: tf.math.multiply stands for
      // a * b and is named so (TF's own tf.math.multiply names its op Mul).
      assertEquals("mul", tf.math.multiply(a, b).op().name());
      assertEquals("mul_1", tf.math.multiply(a, b).op().name());
      assertEquals("layer/mul", tf.withSubScope("layer").math.multiply(a, b).op().name());
      assertEquals("mul_2", tf.math.mul(a, b).op().name());
      assertEquals("add", tf.math.add(a, b).op().name());
      assertEquals("sub", tf.math.subtract(a, b).op().name());
      assertEquals("Mul", g.operation("mul").type());
    }
  }

  @Test
  void invalidNamesAreRefused(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      var e = assertThrows(IllegalArgumentException.class, () -> tf.withName("bad name!"));
      assertTrue(e.getMessage().contains("bad name!"), e.getMessage());
    }
  }

  @Test
  void opsAndTensorsAreFoundByName(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      Output c = tf.withName("c").constant(new float[] {1, 2});
      assertSame(c.op(), g.operation("c"));
      assertSame(c.op(), g.element("c"));
      assertEquals(c, g.outputByName("c:0"));
      assertEquals(c, g.element("c:0"));
      assertEquals("c:0", c.name());
      assertNull(g.operation("d"));
      // TF 2.21 as_graph_element (tf_session_check.py graph-element-errors): KeyError with these words; Quiver
      // reports them as NotFound
      var e = assertThrows(NotFoundException.class, () -> g.element("d:0"));
      assertTrue(e.getMessage().contains("The operation, 'd', does not exist in the graph."), e.getMessage());
      var e2 = assertThrows(NotFoundException.class, () -> g.element("c:1"));
      assertTrue(e2.getMessage().contains("exists but only has 1 outputs"), e2.getMessage());
      assertThrows(NotFoundException.class, () -> g.operationByName("d"));
    }
  }

  @Test
  void operationsRecordTypeInputsAttrsAndStaticShapes(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      Output p = tf.placeholder(DType.FLOAT32, Shape.of(-1, 3));
      Output i = tf.identity(p);
      Operation n = tf.withControlDependencies(i).noOp();
      assertEquals("Identity", i.op().type());
      assertEquals(List.of(p), i.op().inputs());
      assertEquals(DType.FLOAT32, i.dtype());
      assertEquals(Shape.of(-1, 3), i.shape());
      assertEquals(DType.FLOAT32, p.op().attrs().getDType("dtype"));
      assertEquals(List.of(i.op()), n.controlInputs());
      assertEquals(0, n.numOutputs());
      assertEquals(3, g.size());
    }
  }

  @Test
  void groupDependsOnEveryInput(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      Output a = tf.constant(1f);
      Operation b = tf.noOp();
      Operation grp = tf.group(a, b);
      assertEquals("group_deps", grp.name()); // TF 2.21 (op-names)
      assertEquals(List.of(a.op(), b), grp.controlInputs());
    }
  }

  @Test
  void badShapesFailAtBuildTimeNamingTheOp(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      Output c = tf.constant(new float[] {1, 2, 3});
      var e = assertThrows(InvalidArgumentException.class,
          () -> tf.withName("pwd").placeholderWithDefault(c, Shape.of(2)));
      assertTrue(e.getMessage().contains("'pwd'"), e.getMessage());
      assertEquals(1, g.size(), "the failed op is not added");
    }
  }

  @Test
  void unknownOpTypesAreNotFound(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      var e = assertThrows(NotFoundException.class,
          () -> Scope.create(g).addOp("NoSuchOp", "x", null));
      assertTrue(e.getMessage().contains("NoSuchOp"));
    }
  }

  @Test
  void inputsFromAnotherGraphAreRefused(BufferAllocator allocator) {
    try (Graph g1 = new Graph(allocator); Graph g2 = new Graph(allocator)) {
      Output c = Ops.create(g1).constant(1f);
      assertThrows(IllegalArgumentException.class, () -> Ops.create(g2).identity(c));
    }
  }

  @Test
  void constantsShareATensorValueAndTheGraphReleasesItsReference(BufferAllocator allocator) {
    try (Tensor t = Tensor.of(allocator, new float[] {1, 2, 3, 4}, 2, 2)) {
      try (Graph g = new Graph(allocator)) {
        Output c = Ops.create(g).constant(t);
        assertEquals(Shape.of(2, 2), c.shape());
        assertEquals(2, t.refCount());
      }
      assertEquals(1, t.refCount());
    }
  }

  @Test
  void constantsConvertJavaValuesToTheRequestedDType(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Output c = Ops.create(g).constant(new int[] {10, 20}, DType.FLOAT64);
      assertEquals(DType.FLOAT64, c.dtype());
      assertEquals(Shape.of(2), c.shape());
    }
  }

  @Test
  void aClosedGraphRefusesNewOps(BufferAllocator allocator) {
    Graph g = new Graph(allocator);
    Ops tf = Ops.create(g);
    g.close();
    assertThrows(IllegalStateException.class, tf::noOp);
  }

  @Test
  void defaultGraphIsPerThreadAndScoped(BufferAllocator allocator) throws Exception {
    try (Graph g = new Graph(allocator)) {
      Graph before = Graph.getDefault();
      try (var ignored = g.asDefault()) {
        assertSame(g, Graph.getDefault());
        assertEquals("Const", Ops.create().constant(1f).op().name());
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
          assertSame(before, other.submit(Graph::getDefault).get(), "another thread sees the global default");
        } finally {
          other.shutdown();
        }
      }
      assertSame(before, Graph.getDefault());
    }
  }

  @Test
  void buildingFromManyThreadsGivesDistinctNames(BufferAllocator allocator) throws Exception {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        var names = ConcurrentHashMap.<String>newKeySet();
        List<Future<?>> fs = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
          fs.add(pool.submit(() -> {
            for (int i = 0; i < 250; i++) {
              names.add(tf.noOp().name());
            }
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
        assertEquals(1000, names.size());
        assertEquals(1000, g.size());
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void buildingNamedOpsInScopesFromManyThreadsGivesTensorFlowsNames(BufferAllocator allocator) throws Exception {
    int threads = 4;
    int perThread = 100;
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      Output a = tf.withName("a").constant(2f);
      var names = ConcurrentHashMap.<String>newKeySet();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> fs = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
          fs.add(pool.submit(() -> {
            for (int i = 0; i < perThread; i++) {
              Ops layer = tf.withSubScope("layer");
              Output x = layer.withName("x").constant(1f);
              names.add(x.op().name());
              names.add(layer.math.multiply(x, a).op().name());
              names.add(tf.math.multiply(a, a).op().name());
              names.add(tf.withName("c").constant(1f).op().name());
            }
          }));
        }
        for (Future<?> f : fs) {
          f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdown();
      }
      // Whatever the interleaving, the names are the ones one thread building the same ops would give
      // (tf_session_check.py op-names and multiply-names): each base name counts up from its first use.
      java.util.Set<String> expected = new java.util.HashSet<>();
      for (int k = 0; k < threads * perThread; k++) {
        String suffix = k == 0 ? "" : "_" + k;
        expected.add("layer" + suffix + "/x");
        expected.add("layer" + suffix + "/mul");
        expected.add("mul" + suffix);
        expected.add("c" + suffix);
      }
      assertEquals(expected, names);
      assertEquals(1 + expected.size(), g.size());
    }
  }
}
