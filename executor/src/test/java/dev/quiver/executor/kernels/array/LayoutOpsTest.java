package dev.quiver.executor.kernels.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.executor.kernels.OpRunner;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Transpose, Tile, Pad, MirrorPad, ReverseV2, BroadcastTo; expectations are the tf.* docs' examples. */
@ExtendWith(LeakCheckedAllocator.class)
class LayoutOpsTest {
  @Test
  void transposeOfAMatrixSwapsRowsAndColumns(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Transpose").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new int[] {1, 0}))) {
      Tensor out = r.run();
      assertEquals(Shape.of(3, 2), out.shape());
      assertArrayEquals(new int[] {1, 4, 2, 5, 3, 6}, out.toIntArray());
    }
  }

  @Test
  void transposeWithPermMovesEachAxis(BufferAllocator a) {
    // tf.transpose docs: x of shape (2, 2, 3), perm [0, 2, 1].
    int[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    try (OpRunner r = OpRunner.op(a, "Transpose").input(Tensor.of(a, x, 2, 2, 3))
        .input(Tensor.of(a, new int[] {0, 2, 1}))) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 3, 2), out.shape());
      assertArrayEquals(new int[] {1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12}, out.toIntArray());
    }
  }

  @Test
  void transposeOfStringsMovesTheStrings(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Transpose").input(Tensor.of(a, new String[] {"a", "bb", "ccc", "", "e", "f"},
        2, 3)).input(Tensor.of(a, new int[] {1, 0}))) {
      assertArrayEquals(new String[] {"a", "", "bb", "e", "ccc", "f"}, r.run().toStringArray());
    }
  }

  @Test
  void transposeRejectsAPermutationWithARepeatedAxis(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Transpose").input(Tensor.of(a, new int[4], 2, 2))
        .input(Tensor.of(a, new int[] {0, 0}))) {
      assertThrows(InvalidArgumentException.class, r::infer);
    }
  }

  @Test
  void tileRepeatsEachAxis(BufferAllocator a) {
    // tf.tile docs: a = [[1,2,3],[4,5,6]], multiples [1, 2].
    try (OpRunner r = OpRunner.op(a, "Tile").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new int[] {2, 2}))) {
      Tensor out = r.run();
      assertEquals(Shape.of(4, 6), out.shape());
      assertArrayEquals(new int[] {1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6},
          out.toIntArray());
    }
  }

  @Test
  void padWithZerosAroundEachAxis(BufferAllocator a) {
    // tf.pad docs: t = [[1,2,3],[4,5,6]], paddings [[1,1],[2,2]].
    try (OpRunner r = OpRunner.op(a, "Pad").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new int[] {1, 1, 2, 2}, 2, 2))) {
      Tensor out = r.run();
      assertEquals(Shape.of(4, 7), out.shape());
      assertArrayEquals(new int[] {
          0, 0, 0, 0, 0, 0, 0,
          0, 0, 1, 2, 3, 0, 0,
          0, 0, 4, 5, 6, 0, 0,
          0, 0, 0, 0, 0, 0, 0}, out.toIntArray());
    }
  }

  @Test
  void padV2UsesTheConstantValue(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "PadV2").input(Tensor.of(a, new float[] {1, 2}))
        .input(Tensor.of(a, new int[] {1, 2}, 1, 2)).input(Tensor.scalar(a, 9f))) {
      assertArrayEquals(new float[] {9, 1, 2, 9, 9}, r.run().toFloatArray());
    }
  }

  @Test
  void padOfStringsFillsWithTheConstantString(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "PadV2").input(Tensor.of(a, new String[] {"ab", "c"}))
        .input(Tensor.of(a, new int[] {1, 1}, 1, 2)).input(Tensor.scalar(a, "-"))) {
      assertArrayEquals(new String[] {"-", "ab", "c", "-"}, r.run().toStringArray());
    }
  }

  @Test
  void mirrorPadReflectExcludesTheEdge(BufferAllocator a) {
    // tf.pad docs, mode REFLECT, paddings [[1,1],[2,2]].
    try (OpRunner r = OpRunner.op(a, "MirrorPad").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new int[] {1, 1, 2, 2}, 2, 2)).attr("mode", "REFLECT")) {
      assertArrayEquals(new int[] {
          6, 5, 4, 5, 6, 5, 4,
          3, 2, 1, 2, 3, 2, 1,
          6, 5, 4, 5, 6, 5, 4,
          3, 2, 1, 2, 3, 2, 1}, r.run().toIntArray());
    }
  }

  @Test
  void mirrorPadSymmetricRepeatsTheEdge(BufferAllocator a) {
    // tf.pad docs, mode SYMMETRIC, paddings [[1,1],[2,2]].
    try (OpRunner r = OpRunner.op(a, "MirrorPad").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new int[] {1, 1, 2, 2}, 2, 2)).attr("mode", "SYMMETRIC")) {
      assertArrayEquals(new int[] {
          2, 1, 1, 2, 3, 3, 2,
          2, 1, 1, 2, 3, 3, 2,
          5, 4, 4, 5, 6, 6, 5,
          5, 4, 4, 5, 6, 6, 5}, r.run().toIntArray());
    }
  }

  @Test
  void mirrorPadReflectRejectsPaddingAsLargeAsTheDim(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "MirrorPad").input(Tensor.of(a, new int[] {1, 2, 3}))
        .input(Tensor.of(a, new int[] {3, 0}, 1, 2)).attr("mode", "REFLECT")) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::infer);
      assertTrue(e.getMessage().contains("MirrorPad op"), e.getMessage());
    }
  }

  @Test
  void reverseFlipsTheGivenAxes(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "ReverseV2").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new int[] {-1}))) {
      assertArrayEquals(new int[] {3, 2, 1, 6, 5, 4}, r.run().toIntArray());
    }
    try (OpRunner r = OpRunner.op(a, "ReverseV2").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new int[] {0, 1}))) {
      assertArrayEquals(new int[] {6, 5, 4, 3, 2, 1}, r.run().toIntArray());
    }
  }

  @Test
  void broadcastToRepeatsSizeOneAndMissingDims(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "BroadcastTo").input(Tensor.of(a, new double[] {1, 2, 3}, 3, 1))
        .input(Tensor.of(a, new int[] {2, 3, 2}))) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 3, 2), out.shape());
      assertArrayEquals(new double[] {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}, out.toDoubleArray());
    }
  }

  @Test
  void broadcastToAnIncompatibleShapeFailsAtBuildTime(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "BroadcastTo").input(Tensor.of(a, new double[] {1, 2, 3}))
        .input(Tensor.of(a, new int[] {2, 2}))) {
      assertThrows(InvalidArgumentException.class, r::infer);
    }
  }

  @Test
  void largeTransposesSplitOverThreadsGiveTheSameResult(BufferAllocator a) {
    int n = 300;
    int[] x = new int[n * n];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    try (OpRunner r = OpRunner.op(a, "Transpose").input(Tensor.of(a, x, n, n))
        .input(Tensor.of(a, new int[] {1, 0}))) {
      int[] out = r.run().toIntArray();
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          assertEquals(j * n + i, out[i * n + j]);
        }
      }
      assertEquals(DType.INT32, r.run().dtype());
    }
  }
}
