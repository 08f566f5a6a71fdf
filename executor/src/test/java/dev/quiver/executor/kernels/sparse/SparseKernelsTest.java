package dev.quiver.executor.kernels.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.kernels.OpRunner;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SparseToDense, SparseTensorDenseMatMul, SparseReduceSum (tf.sparse docs and TF 1.x CPU behaviour). */
@ExtendWith(LeakCheckedAllocator.class)
class SparseKernelsTest {
  @Test
  void sparseToDensePlacesValuesOverTheDefault(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "SparseToDense").input(Tensor.of(a, new long[] {0, 0, 1, 2}, 2, 2))
        .input(Tensor.of(a, new long[] {3, 4})).input(Tensor.of(a, new float[] {1, 2})).input(Tensor.scalar(a, -1f))) {
      Tensor out = r.run();
      assertEquals(Shape.of(3, 4), out.shape());
      assertArrayEquals(new float[] {1, -1, -1, -1, -1, -1, 2, -1, -1, -1, -1, -1}, out.toFloatArray());
    }
  }

  @Test
  void sparseToDenseOfStringsWithAScalarValue(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "SparseToDense").input(Tensor.of(a, new int[] {1, 3}))
        .input(Tensor.of(a, new int[] {5})).input(Tensor.scalar(a, "x")).input(Tensor.scalar(a, ""))) {
      assertArrayEquals(new String[] {"", "x", "", "x", ""}, r.run().toStringArray());
    }
  }

  @Test
  void sparseToDenseRejectsUnorderedIndicesWhenValidating(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "SparseToDense").input(Tensor.of(a, new int[] {3, 1}))
        .input(Tensor.of(a, new int[] {5})).input(Tensor.of(a, new int[] {1, 2})).input(Tensor.scalar(a, 0))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("indices[1] = [1] is out of order"), e.getMessage());
    }
  }

  @Test
  void sparseToDenseAcceptsUnorderedIndicesWithoutValidation(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "SparseToDense").input(Tensor.of(a, new int[] {3, 1}))
        .input(Tensor.of(a, new int[] {5})).input(Tensor.of(a, new String[] {"c", "a"})).input(Tensor.scalar(a, "-"))
        .attr("validate_indices", false)) {
      assertArrayEquals(new String[] {"-", "a", "-", "c", "-"}, r.run().toStringArray());
    }
  }

  @Test
  void sparseToDenseIndexOutOfBoundsFails(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "SparseToDense").input(Tensor.of(a, new long[] {0, 0, 3, 0}, 2, 2))
        .input(Tensor.of(a, new long[] {2, 2})).input(Tensor.of(a, new int[] {1, 2})).input(Tensor.scalar(a, 0))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("indices[1] = [3,0] is out of bounds: need 0 <= index < [2,2]"),
          e.getMessage());
    }
  }

  private static OpRunner matmul(BufferAllocator a, boolean adjA, boolean adjB, Tensor b) {
    // A = [[1, 0, 2], [0, 3, 0]] (2x3)
    return OpRunner.op(a, "SparseTensorDenseMatMul").input(Tensor.of(a, new long[] {0, 0, 0, 2, 1, 1}, 3, 2))
        .input(Tensor.of(a, new double[] {1, 2, 3})).input(Tensor.of(a, new long[] {2, 3})).input(b)
        .attr("adjoint_a", adjA).attr("adjoint_b", adjB);
  }

  @Test
  void sparseDenseMatMulMultipliesLikeTheDenseProduct(BufferAllocator a) {
    try (OpRunner r = matmul(a, false, false, Tensor.of(a, new double[] {1, 2, 3, 4, 5, 6}, 3, 2))) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 2), out.shape());
      assertArrayEquals(new double[] {11, 14, 9, 12}, out.toDoubleArray());
    }
  }

  @Test
  void sparseDenseMatMulWithAdjoints(BufferAllocator a) {
    try (OpRunner r = matmul(a, true, true, Tensor.of(a, new double[] {1, 2, 3, 4}, 2, 2))) {
      // A^T = [[1,0],[0,3],[2,0]]; B^T = [[1,3],[2,4]]; product = [[1,3],[6,12],[2,6]]
      assertArrayEquals(new double[] {1, 3, 6, 12, 2, 6}, r.run().toDoubleArray());
    }
  }

  @Test
  void sparseDenseMatMulWithMismatchedInnerDimsFailsAtBuildTime(BufferAllocator a) {
    try (OpRunner r = matmul(a, false, false, Tensor.of(a, new double[4], 2, 2))) {
      assertThrows(InvalidArgumentException.class, r::infer);
    }
  }

  @Test
  void sparseReduceSumOverAnAxis(BufferAllocator a) {
    // tf.sparse.reduce_sum docs: x = [[1, ?, 1], [?, 1, ?]]
    try (OpRunner r = OpRunner.op(a, "SparseReduceSum").input(Tensor.of(a, new long[] {0, 0, 0, 2, 1, 1}, 3, 2))
        .input(Tensor.of(a, new int[] {1, 1, 1})).input(Tensor.of(a, new long[] {2, 3}))
        .input(Tensor.of(a, new int[] {1}))) {
      assertArrayEquals(new int[] {2, 1}, r.run().toIntArray());
    }
    try (OpRunner r = OpRunner.op(a, "SparseReduceSum").input(Tensor.of(a, new long[] {0, 0, 0, 2, 1, 1}, 3, 2))
        .input(Tensor.of(a, new int[] {1, 1, 1})).input(Tensor.of(a, new long[] {2, 3}))
        .input(Tensor.of(a, new int[] {-2})).attr("keep_dims", true)) {
      Tensor out = r.run();
      assertEquals(Shape.of(1, 3), out.shape());
      assertArrayEquals(new int[] {1, 1, 1}, out.toIntArray());
    }
    try (OpRunner r = OpRunner.op(a, "SparseReduceSum").input(Tensor.of(a, new long[] {0, 0, 0, 2, 1, 1}, 3, 2))
        .input(Tensor.of(a, new int[] {1, 1, 1})).input(Tensor.of(a, new long[] {2, 3}))
        .input(Tensor.of(a, new int[] {0, 1}))) {
      assertEquals(3, r.run().getInt(0));
    }
  }

  @Test
  void sparseReduceSumWithAnAxisOutOfRangeFailsInTensorFlowsWords(BufferAllocator a) {
    // TF 2.21: tf.sparse.reduce_sum on a rank-2 input with axis=-3 raises InvalidArgumentError
    // "Invalid reduction dimension -3, for input with 2 dimensions."
    try (OpRunner r = OpRunner.op(a, "SparseReduceSum").input(Tensor.of(a, new long[] {0, 0, 1, 2}, 2, 2))
        .input(Tensor.of(a, new float[] {1, 2})).input(Tensor.of(a, new long[] {2, 3}))
        .input(Tensor.of(a, new int[] {-3}))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("Invalid reduction dimension -3, for input with 2 dimensions."),
          e.getMessage());
    }
  }
}
