package dev.quiver.executor.kernels.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.Graph;
import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.executor.Result;
import dev.quiver.executor.Session;
import dev.quiver.executor.kernels.OpRunner;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GatherV2, GatherNd, ScatterNd; examples of the tf.gather / tf.gather_nd / tf.scatter_nd docs. */
@ExtendWith(LeakCheckedAllocator.class)
class GatherOpsTest {
  @Test
  void gatherRowsAlongAxisZero(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "GatherV2").input(Tensor.of(a, new float[] {1, 2, 3, 4, 5, 6}, 3, 2))
        .input(Tensor.of(a, new int[] {2, 0, 2}, 3)).input(Tensor.scalar(a, 0))) {
      Tensor out = r.run();
      assertEquals(Shape.of(3, 2), out.shape());
      assertArrayEquals(new float[] {5, 6, 1, 2, 5, 6}, out.toFloatArray());
    }
  }

  @Test
  void gatherAlongAnInnerAxisWithMatrixIndices(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "GatherV2").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new long[] {2, 1, 0, 0}, 2, 2)).input(Tensor.scalar(a, 1))) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 2, 2), out.shape());
      assertArrayEquals(new int[] {3, 2, 1, 1, 6, 5, 4, 4}, out.toIntArray());
    }
  }

  @Test
  void gatherWithBatchDimsPicksPerBatch(BufferAllocator a) {
    // tf.gather(params, indices, axis=1, batch_dims=1) == [params[i, indices[i]] for i]
    try (OpRunner r = OpRunner.op(a, "GatherV2").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new int[] {2, 0, 1, 1}, 2, 2)).input(Tensor.scalar(a, 1)).attr("batch_dims", 1L)) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 2), out.shape());
      assertArrayEquals(new int[] {3, 1, 5, 5}, out.toIntArray());
    }
  }

  @Test
  void negativeBatchDimsCountFromTheEndOfTheIndicesDims(BufferAllocator a) {
    // TF 2.21: batch_dims=-1 on [2, 2] indices is batch_dims=1; -2 is 0 (a plain gather along axis 1)
    try (OpRunner r = OpRunner.op(a, "GatherV2").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new int[] {2, 0, 1, 1}, 2, 2)).input(Tensor.scalar(a, 1)).attr("batch_dims", -1L);
         OpRunner zero = OpRunner.op(a, "GatherV2").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new int[] {2, 0, 1, 1}, 2, 2)).input(Tensor.scalar(a, 1)).attr("batch_dims", -2L)) {
      assertArrayEquals(new int[] {3, 1, 5, 5}, r.run().toIntArray());
      Tensor all = zero.run();
      assertEquals(Shape.of(2, 2, 2), all.shape());
      assertArrayEquals(new int[] {3, 1, 2, 2, 6, 4, 5, 5}, all.toIntArray());
    }
  }

  @Test
  void badBatchDimsFailInTensorFlowsWords(BufferAllocator a) {
    // TF 2.21's GatherV2 kernel (axis fed at run time), checked in this order
    String[][] cases = {{"-3", "1", "Expected batch_dims in the range [-2, 2], but got -3"},
        {"2", "1", "batch_dims (2) must be less than rank(params) (2)."},
        {"1", "0", "batch_dims (1) must be less than or equal to axis (0)."},
        {"1", "-3", "Expected axis in the range [-2, 2), but got -3"}};
    for (String[] c : cases) {
      try (OpRunner r = OpRunner.op(a, "GatherV2").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
          .input(Tensor.of(a, new int[] {2, 0, 1, 1}, 2, 2)).input(Tensor.scalar(a, Integer.parseInt(c[1])))
          .attr("batch_dims", Long.parseLong(c[0])).dynamic()) {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(c[2]), e.getMessage());
      }
    }
    try (OpRunner r = OpRunner.op(a, "GatherV2").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 3, 2))
        .input(Tensor.of(a, new int[] {0, 1}, 2)).input(Tensor.scalar(a, 1)).attr("batch_dims", 1L).dynamic()) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("params.shape[0]: 3 should be equal to indices.shape[0]: 2"), e.getMessage());
    }
  }

  @Test
  void batchDimsBeyondIntFailAtBuildTimeInsteadOfWrapping(BufferAllocator a) {
    // 2^32 would be batch_dims 0 if cut to an int; a GraphDef or raw attrs can carry any int64
    try (OpRunner r = OpRunner.op(a, "GatherV2").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new int[] {2, 0, 1, 1}, 2, 2)).input(Tensor.scalar(a, 1)).attr("batch_dims", 1L << 32)) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::infer);
      assertTrue(e.getMessage().contains("Expected batch_dims in the range [-2, 2], but got 4294967296"),
          e.getMessage());
    }
  }

  @Test
  void gatherOfStrings(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "GatherV2").input(Tensor.of(a, new String[] {"zero", "one", "two"}))
        .input(Tensor.of(a, new int[] {1, 1, 2, 0})).input(Tensor.scalar(a, 0))) {
      assertArrayEquals(new String[] {"one", "one", "two", "zero"}, r.run().toStringArray());
    }
  }

  @Test
  void gatherIndexOutOfRangeFailsAtRunTimeNamingTheIndex(BufferAllocator a) {
    // TF CPU: "indices[1,0] = 7 is not in [0, 3)"
    try (OpRunner r = OpRunner.op(a, "GatherV2").input(Tensor.of(a, new int[] {1, 2, 3}))
        .input(Tensor.of(a, new int[] {0, 1, 7, 2}, 2, 2)).input(Tensor.scalar(a, 0))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("GatherV2 op 'gatherv2_1'"), e.getMessage());
      assertTrue(e.getMessage().contains("indices[1,0] = 7 is not in [0, 3)"), e.getMessage());
    }
  }

  @Test
  void gatherNdPicksSlicesByIndexTuples(BufferAllocator a) {
    // tf.gather_nd docs: indices [[1], [0]] into [['a','b'],['c','d']] -> [['c','d'],['a','b']]
    try (OpRunner r = OpRunner.op(a, "GatherNd").input(Tensor.of(a, new String[] {"a", "b", "c", "d"}, 2, 2))
        .input(Tensor.of(a, new int[] {1, 0}, 2, 1))) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 2), out.shape());
      assertArrayEquals(new String[] {"c", "d", "a", "b"}, out.toStringArray());
    }
    try (OpRunner r = OpRunner.op(a, "GatherNd").input(Tensor.of(a, new int[] {1, 2, 3, 4}, 2, 2))
        .input(Tensor.of(a, new int[] {0, 0, 1, 1}, 2, 2))) {
      assertArrayEquals(new int[] {1, 4}, r.run().toIntArray());
    }
  }

  @Test
  void gatherNdOutOfRangeNamesTheIndexTuple(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "GatherNd").input(Tensor.of(a, new int[] {1, 2, 3, 4}, 2, 2))
        .input(Tensor.of(a, new int[] {0, 0, 3, 0}, 2, 2))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("indices[1] = [3, 0] does not index into param shape [2,2]"),
          e.getMessage());
    }
  }

  private static Tensor arange(BufferAllocator a, int n, long... shape) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return Tensor.of(a, v, shape);
  }

  /**
   * tf.gather_nd(params, indices, batch_dims) through the facade's composite, in a session: with static shapes
   * (constant shapes in the graph) or with every dim unknown (shapes read when the step runs).
   */
  private static Tensor batchGatherNd(BufferAllocator a, Tensor params, Tensor indices, int bd, boolean dynamic) {
    try (params; indices; Graph g = new Graph(a); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Output p = tf.placeholder(params.dtype(), dynamic ? Shape.unknownDims(params.rank()) : params.shape());
      Output ix = tf.placeholder(indices.dtype(), dynamic ? Shape.unknownDims(indices.rank()) : indices.shape());
      Output out = tf.array.gatherNd(p, ix, bd);
      assertTrue(g.operations().stream().noneMatch(o -> o.attrs().has("batch_dims") && o.type().equals("GatherNd")),
          "only ops TensorFlow knows");
      try (Result r = s.run(out, Map.of(p, params, ix, indices))) {
        return r.tensor().share();
      }
    }
  }

  @Test
  void gatherNdWithBatchDimsGathersWithinEachBatch(BufferAllocator a) {
    for (boolean dynamic : new boolean[] {false, true}) {
      // TF 2.21: tf.gather_nd(np.arange(24).reshape(2, 3, 4), [[[1], [0]], [[2], [2]]], batch_dims=1)
      try (Tensor out = batchGatherNd(a, arange(a, 24, 2, 3, 4), Tensor.of(a, new int[] {1, 0, 2, 2}, 2, 2, 1), 1,
          dynamic)) {
        assertEquals(Shape.of(2, 2, 4), out.shape());
        assertArrayEquals(new int[] {4, 5, 6, 7, 0, 1, 2, 3, 20, 21, 22, 23, 20, 21, 22, 23}, out.toIntArray());
      }
      // TF 2.21: indices [[1], [0]] (one index per batch) -> [[4, 5, 6, 7], [12, 13, 14, 15]]
      try (Tensor out = batchGatherNd(a, arange(a, 24, 2, 3, 4), Tensor.of(a, new long[] {1, 0}, 2, 1), 1, dynamic)) {
        assertArrayEquals(new int[] {4, 5, 6, 7, 12, 13, 14, 15}, out.toIntArray());
      }
      // TF 2.21: indices [[[1, 1]], [[2, 3]]] (full tuples) -> [[5], [23]]
      try (Tensor out = batchGatherNd(a, arange(a, 24, 2, 3, 4), Tensor.of(a, new int[] {1, 1, 2, 3}, 2, 1, 2), 1,
          dynamic)) {
        assertEquals(Shape.of(2, 1), out.shape());
        assertArrayEquals(new int[] {5, 23}, out.toIntArray());
      }
    }
  }

  @Test
  void gatherNdWithBatchDimsOutOfRangeNamesTheBatchAndTuple(BufferAllocator a) {
    for (boolean dynamic : new boolean[] {false, true}) {
      // TF 2.21: "indices[1,0] = [1, 3] does not index into param shape [2,3,4]"
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> batchGatherNd(a,
          arange(a, 24, 2, 3, 4), Tensor.of(a, new int[] {1, 0, 3, 2}, 2, 2, 1), 1, dynamic).close());
      assertTrue(e.getMessage().contains("indices[1,0] = [1, 3] does not index into param shape [2,3,4]"),
          e.getMessage());
    }
  }

  @Test
  void gatherNdBatchDimsMustBeBelowTheIndicesRankAndShared(BufferAllocator a) {
    // TF 2.21: ValueError "Argument `batch_dims` = 2 must be less than rank(`indices`) = 2"
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> batchGatherNd(a,
        arange(a, 24, 2, 3, 4), Tensor.of(a, new int[] {1, 0}, 2, 1), 2, false).close());
    assertTrue(e.getMessage().contains("batch_dims = 2 must be less than rank(indices) = 2"), e.getMessage());
    e = assertThrows(InvalidArgumentException.class, () -> batchGatherNd(a, arange(a, 24, 2, 3, 4),
        Tensor.of(a, new int[] {1, 0, 2}, 3, 1), 1, false).close());
    assertTrue(e.getMessage().contains("params.shape[0]: 2 should be equal to indices.shape[0]: 3"), e.getMessage());
  }

  @Test
  void gatherNdHasNoBatchDimsAttributeAsInTensorFlow(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "GatherNd").input(arange(a, 24, 2, 3, 4))
        .input(Tensor.of(a, new int[] {1, 0}, 2, 1)).attr("batch_dims", 1L)) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::infer);
      assertTrue(e.getMessage().contains("attribute 'batch_dims' is not in the op definition of GatherNd"),
          e.getMessage());
    }
  }

  @Test
  void gatherNdIntoEmptyParamsFailsBeforeLookingAtIndices(BufferAllocator a) {
    // TF 2.21, indices [3, 1] of zeros into params [2, 0, 2]
    try (OpRunner r = OpRunner.op(a, "GatherNd").input(Tensor.allocate(a, dev.quiver.store.DType.FLOAT32,
        Shape.of(2, 0, 2))).input(Tensor.of(a, new int[] {0, 0, 0}, 3, 1))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("Requested more than 0 entries, but params is empty.  Params shape: [2,0,2]"),
          e.getMessage());
    }
  }

  @Test
  void gatherWithAnEmptyResultIgnoresItsIndices(BufferAllocator a) {
    // TF 2.21: GatherV2(params [2, 0], indices [5, 5], axis 0) -> an empty [2, 0] result
    try (OpRunner r = OpRunner.op(a, "GatherV2").input(Tensor.allocate(a, dev.quiver.store.DType.FLOAT32,
        Shape.of(2, 0))).input(Tensor.of(a, new int[] {5, 5}, 2)).input(Tensor.scalar(a, 0))) {
      assertEquals(Shape.of(2, 0), r.run().shape());
    }
  }

  @Test
  void scatterNdRefusesRowsWhenNothingCanBeWritten(BufferAllocator a) {
    // TF 2.21: output [0, 3] with indices [2, 1]; output [3, 0] (empty slices) with indices [2, 1]
    try (OpRunner r = OpRunner.op(a, "ScatterNd").input(Tensor.of(a, new int[] {0, 0}, 2, 1))
        .input(Tensor.allocate(a, dev.quiver.store.DType.FLOAT32, Shape.of(2, 3))).input(Tensor.of(a, new int[] {0, 3}))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("Indices and updates specified for empty output.  indices shape: [2,1]"),
          e.getMessage());
    }
    try (OpRunner r = OpRunner.op(a, "ScatterNd").input(Tensor.of(a, new int[] {7, 7}, 2, 1))
        .input(Tensor.allocate(a, dev.quiver.store.DType.FLOAT32, Shape.of(2, 0))).input(Tensor.of(a, new int[] {3, 0}))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("Indices and updates specified for empty output shape"), e.getMessage());
    }
  }

  @Test
  void scatterNdAddsDuplicateIndices(BufferAllocator a) {
    // tf.scatter_nd docs: indices [[4],[3],[1],[7]], updates [9,10,11,12], shape [8]; plus a duplicate of [1].
    try (OpRunner r = OpRunner.op(a, "ScatterNd").input(Tensor.of(a, new int[] {4, 3, 1, 7, 1}, 5, 1))
        .input(Tensor.of(a, new float[] {9, 10, 11, 12, 1})).input(Tensor.of(a, new int[] {8}))) {
      assertArrayEquals(new float[] {0, 12, 0, 10, 9, 0, 0, 12}, r.run().toFloatArray());
    }
  }

  @Test
  void scatterNdOutOfRangeFails(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "ScatterNd").input(Tensor.of(a, new int[] {8}, 1, 1))
        .input(Tensor.of(a, new int[] {1})).input(Tensor.of(a, new int[] {8}))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("indices[0] = [8] does not index into shape [8]"), e.getMessage());
    }
  }

  @Test
  void scatterNdOrsBoolUpdatesAtDuplicateIndices(BufferAllocator a) {
    // TF 2.21: tf.scatter_nd([[1],[1],[3]], [True, False, True], [5]) -> [False, True, False, True, False],
    // and tf.scatter_nd([[1],[1]], [False, True], [3]) -> [False, True, False]: repeated bools combine with OR.
    try (OpRunner r = OpRunner.op(a, "ScatterNd").input(Tensor.of(a, new int[] {1, 1, 3}, 3, 1))
        .input(Tensor.of(a, new boolean[] {true, false, true})).input(Tensor.of(a, new int[] {5}))) {
      assertArrayEquals(new boolean[] {false, true, false, true, false}, r.run().toBooleanArray());
    }
    try (OpRunner r = OpRunner.op(a, "ScatterNd").input(Tensor.of(a, new int[] {1, 1}, 2, 1))
        .input(Tensor.of(a, new boolean[] {false, true})).input(Tensor.of(a, new int[] {3}))) {
      assertArrayEquals(new boolean[] {false, true, false}, r.run().toBooleanArray());
    }
  }

  @Test
  void scatterNdConcatenatesStringUpdatesInIndexOrder(BufferAllocator a) {
    // TF 2.21: tf.scatter_nd([[1],[1],[3],[1]], ["a","b","c","d"], [5]) -> [b'', b'abd', b'', b'c', b'']
    try (OpRunner r = OpRunner.op(a, "ScatterNd").input(Tensor.of(a, new int[] {1, 1, 3, 1}, 4, 1))
        .input(Tensor.of(a, new String[] {"a", "b", "c", "d"})).input(Tensor.of(a, new int[] {5}))) {
      assertArrayEquals(new String[] {"", "abd", "", "c", ""}, r.run().toStringArray());
    }
  }

  @Test
  void scatterNdConcatenatesStringSlicesElementwise(BufferAllocator a) {
    // TF 2.21: tf.scatter_nd([[0],[0]], [["a","b"],["c","d"]], [2,2]) -> [[b'ac', b'bd'], [b'', b'']]
    try (OpRunner r = OpRunner.op(a, "ScatterNd").input(Tensor.of(a, new int[] {0, 0}, 2, 1))
        .input(Tensor.of(a, new String[] {"a", "b", "c", "d"}, 2, 2)).input(Tensor.of(a, new int[] {2, 2}))) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 2), out.shape());
      assertArrayEquals(new String[] {"ac", "bd", "", ""}, out.toStringArray());
    }
  }

  @Test
  void scatterNdOfNoStringUpdatesIsAllEmptyStrings(BufferAllocator a) {
    // TF 2.21: tf.scatter_nd(zeros([0,1], int32), constant([], string), [3]) -> [b'', b'', b'']
    try (OpRunner r = OpRunner.op(a, "ScatterNd").input(Tensor.of(a, new int[0], 0, 1))
        .input(Tensor.of(a, new String[0], 0)).input(Tensor.of(a, new int[] {3}))) {
      assertArrayEquals(new String[] {"", "", ""}, r.run().toStringArray());
    }
  }

  @Test
  void scatterNdOfStringsOutOfRangeFails(BufferAllocator a) {
    // TF 2.21: tf.scatter_nd([[5]], ["a"], [3]) raises "indices[0] = [5] does not index into shape [3]"
    try (OpRunner r = OpRunner.op(a, "ScatterNd").input(Tensor.of(a, new int[] {5}, 1, 1))
        .input(Tensor.of(a, new String[] {"a"})).input(Tensor.of(a, new int[] {3}))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("indices[0] = [5] does not index into shape [3]"), e.getMessage());
    }
  }
}
