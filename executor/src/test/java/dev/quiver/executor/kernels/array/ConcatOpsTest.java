package dev.quiver.executor.kernels.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.executor.kernels.OpRunner;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ConcatV2, Pack, Unpack, Split, SplitV; examples of the tf.concat / tf.stack / tf.split docs. */
@ExtendWith(LeakCheckedAllocator.class)
class ConcatOpsTest {
  @Test
  void concatAlongTheLastAxisInterleavesRows(BufferAllocator a) {
    // tf.concat([[[1,2,3],[4,5,6]], [[7,8,9],[10,11,12]]], -1)
    try (OpRunner r = OpRunner.op(a, "ConcatV2").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .input(Tensor.of(a, new int[] {7, 8, 9, 10, 11, 12}, 2, 3)).input(Tensor.scalar(a, -1))) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 6), out.shape());
      assertArrayEquals(new int[] {1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12}, out.toIntArray());
    }
  }

  @Test
  void concatOfStringsAlongAxisZero(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "ConcatV2").input(Tensor.of(a, new String[] {"a", "bc"}))
        .input(Tensor.of(a, new String[] {}, 0)).input(Tensor.of(a, new String[] {"", "déf"}))
        .input(Tensor.scalar(a, 0))) {
      assertArrayEquals(new String[] {"a", "bc", "", "déf"}, r.run().toStringArray());
    }
  }

  @Test
  void concatOfStringSlicesRebasesTheOffsets(BufferAllocator a) {
    Tensor whole = Tensor.of(a, new String[] {"xx", "yyy", "z", "w"}, 2, 2);
    Tensor tail = whole.slice(1, 2);
    whole.close();
    try (OpRunner r = OpRunner.op(a, "ConcatV2").input(tail).input(Tensor.of(a, new String[] {"q", "r"}, 1, 2))
        .input(Tensor.scalar(a, 1L))) {
      assertArrayEquals(new String[] {"z", "w", "q", "r"}, r.run().toStringArray());
    }
  }

  @Test
  void concatOfMismatchedDimsFailsAtBuildTime(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "ConcatV2").input(Tensor.of(a, new int[6], 2, 3))
        .input(Tensor.of(a, new int[4], 2, 2)).input(Tensor.scalar(a, 0))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::infer);
      assertTrue(e.getMessage().contains("ConcatV2 op"), e.getMessage());
      // TF 2.21's shape function (tf.concat of placeholders [2, 3] and [2, 2] on axis 0): the dims after the axis
      assertTrue(e.getMessage().contains("Dimension 0 in both shapes must be equal, but are 3 and 2. Shapes are [3] "
          + "and [2]."), e.getMessage());
    }
    // TF 2.21, axis 1: [2, 3, 4] then [2, 5, 6] merge before the axis and fail after it
    try (OpRunner r = OpRunner.op(a, "ConcatV2").input(Tensor.of(a, new int[24], 2, 3, 4))
        .input(Tensor.of(a, new int[60], 2, 5, 6)).input(Tensor.scalar(a, 1))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::infer);
      assertTrue(e.getMessage().contains("Dimension 0 in both shapes must be equal, but are 4 and 6. Shapes are [4] "
          + "and [6]."), e.getMessage());
    }
    // TF 2.21, axis 1: [2, 3] and [4, 3] differ before the axis
    try (OpRunner r = OpRunner.op(a, "ConcatV2").input(Tensor.of(a, new int[6], 2, 3))
        .input(Tensor.of(a, new int[12], 4, 3)).input(Tensor.scalar(a, 1))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::infer);
      assertTrue(e.getMessage().contains("Dimension 0 in both shapes must be equal, but are 2 and 4. Shapes are [2] "
          + "and [4]."), e.getMessage());
    }
  }

  @Test
  void packStacksAlongANewAxis(BufferAllocator a) {
    // tf.stack([[1,4],[2,5],[3,6]], axis=1) -> [[1,2,3],[4,5,6]]
    try (OpRunner r = OpRunner.op(a, "Pack").input(Tensor.of(a, new int[] {1, 4})).input(Tensor.of(a, new int[] {2, 5}))
        .input(Tensor.of(a, new int[] {3, 6})).attr("axis", 1L)) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 3), out.shape());
      assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, out.toIntArray());
    }
  }

  @Test
  void unpackAlongAxisZeroReturnsViews(BufferAllocator a) {
    Tensor in = Tensor.of(a, new long[] {1, 2, 3, 4, 5, 6}, 3, 2);
    try (OpRunner r = OpRunner.op(a, "Unpack").input(in).attr("num", 3L)) {
      List<Tensor> out = r.runAll();
      assertEquals(3, out.size());
      assertArrayEquals(new long[] {5, 6}, out.get(2).toLongArray());
      assertEquals(in.address() + 4 * 8, out.get(2).address());
    }
  }

  @Test
  void unpackAlongAnInnerAxisCopiesColumns(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Unpack").input(Tensor.of(a, new int[] {1, 2, 3, 4, 5, 6}, 3, 2))
        .attr("num", 2L).attr("axis", -1L)) {
      List<Tensor> out = r.runAll();
      assertArrayEquals(new int[] {1, 3, 5}, out.get(0).toIntArray());
      assertArrayEquals(new int[] {2, 4, 6}, out.get(1).toIntArray());
    }
  }

  @Test
  void splitCutsEqualPieces(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Split").input(Tensor.scalar(a, 1)).input(Tensor.of(a, new int[] {1, 2, 3, 4, 5,
        6}, 2, 3)).attr("num_split", 3L)) {
      List<Tensor> out = r.runAll();
      assertEquals(Shape.of(2, 1), out.get(1).shape());
      assertArrayEquals(new int[] {2, 5}, out.get(1).toIntArray());
    }
  }

  @Test
  void splitThatDoesNotDivideFails(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Split").input(Tensor.scalar(a, 0)).input(Tensor.of(a, new int[5]))
        .attr("num_split", 2L)) {
      assertThrows(InvalidArgumentException.class, r::infer);
    }
  }

  @Test
  void splitVResolvesMinusOne(BufferAllocator a) {
    // tf.split(x of shape (5, 30), [4, 15, 11], 1) shape semantics, with -1 for the rest.
    try (OpRunner r = OpRunner.op(a, "SplitV").input(Tensor.of(a, new String[] {"a", "b", "c", "d", "e"}))
        .input(Tensor.of(a, new int[] {1, -1, 2})).input(Tensor.scalar(a, 0)).attr("num_split", 3L)) {
      List<Tensor> out = r.runAll();
      assertArrayEquals(new String[] {"a"}, out.get(0).toStringArray());
      assertArrayEquals(new String[] {"b", "c"}, out.get(1).toStringArray());
      assertArrayEquals(new String[] {"d", "e"}, out.get(2).toStringArray());
    }
  }
}
