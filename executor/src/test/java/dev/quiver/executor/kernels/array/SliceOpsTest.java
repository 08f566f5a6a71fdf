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
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Slice and StridedSlice; the strided cases are the examples of the tf.strided_slice docs. */
@ExtendWith(LeakCheckedAllocator.class)
class SliceOpsTest {
  /** tf.strided_slice docs' t = [[[1,1,1],[2,2,2]], [[3,3,3],[4,4,4]], [[5,5,5],[6,6,6]]]. */
  private static Tensor docsT(BufferAllocator a) {
    return Tensor.of(a, new int[] {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6}, 3, 2, 3);
  }

  private static OpRunner strided(BufferAllocator a, Tensor in, int[] begin, int[] end, int[] strides) {
    return OpRunner.op(a, "StridedSlice").input(in).input(Tensor.of(a, begin)).input(Tensor.of(a, end))
        .input(Tensor.of(a, strides));
  }

  @Test
  void sliceOfLeadingRowsIsAViewOfTheInput(BufferAllocator a) {
    Tensor in = Tensor.of(a, new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
    try (OpRunner r = OpRunner.op(a, "Slice").input(in).input(Tensor.of(a, new int[] {1, 0}))
        .input(Tensor.of(a, new int[] {2, -1}))) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 2), out.shape());
      assertArrayEquals(new float[] {3, 4, 5, 6}, out.toFloatArray());
      assertEquals(in.address() + 2 * 4, out.address(), "a contiguous slice shares the input's memory");
    }
  }

  @Test
  void sliceOfInnerColumnsCopies(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Slice").input(docsT(a)).input(Tensor.of(a, new int[] {1, 0, 0}))
        .input(Tensor.of(a, new int[] {1, 1, 3}))) {
      assertArrayEquals(new int[] {3, 3, 3}, r.run().toIntArray());
    }
  }

  @Test
  void sliceBeyondTheInputFailsAtBuildTime(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Slice").input(Tensor.of(a, new int[4])).input(Tensor.of(a, new int[] {2}))
        .input(Tensor.of(a, new int[] {3}))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::infer);
      assertTrue(e.getMessage().contains("size[0]"), e.getMessage());
    }
  }

  @Test
  void aSizeWhoseEndOverflowsALongFailsInsteadOfSlicingPastTheInput(BufferAllocator a) {
    // TF 2.21: tf.slice(tf.zeros([4]), tf.constant([1], tf.int64), tf.constant([2**63 - 1], tf.int64)) raises
    // InvalidArgumentError "Expected size[0] in [0, 3], but got 9223372036854775807"
    for (boolean dynamic : new boolean[] {false, true}) {
      try (OpRunner r = OpRunner.op(a, "Slice").input(Tensor.of(a, new int[4])).input(Tensor.of(a, new long[] {1}))
          .input(Tensor.of(a, new long[] {Long.MAX_VALUE}))) {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
            dynamic ? r.dynamic()::run : r::infer);
        assertTrue(e.getMessage().contains("size[0] in [0, 3], but got " + Long.MAX_VALUE), e.getMessage());
      }
    }
  }

  @Test
  void stridedSliceShrinksAnAxisToAScalarIndex(BufferAllocator a) {
    // tf.strided_slice(t, [1, 0, 0], [2, 1, 3], [1, 1, 1]) -> [[[3, 3, 3]]]
    try (OpRunner r = strided(a, docsT(a), new int[] {1, 0, 0}, new int[] {2, 1, 3}, new int[] {1, 1, 1})) {
      Tensor out = r.run();
      assertEquals(Shape.of(1, 1, 3), out.shape());
      assertArrayEquals(new int[] {3, 3, 3}, out.toIntArray());
    }
  }

  @Test
  void stridedSliceWithNegativeStrideReadsBackwards(BufferAllocator a) {
    // tf.strided_slice(t, [1, -1, 0], [2, -3, 3], [1, -1, 1]) -> [[[4, 4, 4], [3, 3, 3]]]
    try (OpRunner r = strided(a, docsT(a), new int[] {1, -1, 0}, new int[] {2, -3, 3}, new int[] {1, -1, 1})) {
      Tensor out = r.run();
      assertEquals(Shape.of(1, 2, 3), out.shape());
      assertArrayEquals(new int[] {4, 4, 4, 3, 3, 3}, out.toIntArray());
    }
  }

  @Test
  void stridedSliceShrinkAxisMaskDropsTheIndexedAxes(BufferAllocator a) {
    // t[1, -1] == [4, 4, 4]: shrink_axis_mask 0b11
    try (OpRunner r = strided(a, docsT(a), new int[] {1, -1}, new int[] {2, 0}, new int[] {1, 1})
        .attr("shrink_axis_mask", 3L)) {
      Tensor out = r.run();
      assertEquals(Shape.of(3), out.shape());
      assertArrayEquals(new int[] {4, 4, 4}, out.toIntArray());
    }
  }

  @Test
  void stridedSliceEllipsisAndNewAxis(BufferAllocator a) {
    // t[..., tf.newaxis, 0]: shape (3, 2, 1)
    try (OpRunner r = strided(a, docsT(a), new int[] {0, 0, 0}, new int[] {0, 0, 1}, new int[] {1, 1, 1})
        .attr("ellipsis_mask", 1L).attr("new_axis_mask", 2L).attr("shrink_axis_mask", 4L)) {
      Tensor out = r.run();
      assertEquals(Shape.of(3, 2, 1), out.shape());
      assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, out.toIntArray());
    }
  }

  @Test
  void stridedSliceBeginAndEndMasksTakeTheWholeAxis(BufferAllocator a) {
    // t[::-1, :, 1:] via begin_mask 0b011, end_mask 0b111
    try (OpRunner r = strided(a, docsT(a), new int[] {5, 7, 1}, new int[] {9, 9, 9}, new int[] {-1, 1, 1})
        .attr("begin_mask", 3L).attr("end_mask", 7L)) {
      Tensor out = r.run();
      assertEquals(Shape.of(3, 2, 2), out.shape());
      assertArrayEquals(new int[] {5, 5, 6, 6, 3, 3, 4, 4, 1, 1, 2, 2}, out.toIntArray());
    }
  }

  @Test
  void stridedSliceIndexOutOfBoundsFailsNamingTheOp(BufferAllocator a) {
    try (OpRunner r = strided(a, docsT(a), new int[] {3}, new int[] {4}, new int[] {1}).attr("shrink_axis_mask", 1L)) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::infer);
      assertTrue(e.getMessage().contains("StridedSlice op 'stridedslice_1'"), e.getMessage());
      assertTrue(e.getMessage().contains("slice index 3 of dimension 0 out of bounds"), e.getMessage());
    }
  }

  @Test
  void stridedSliceOfStrings(BufferAllocator a) {
    try (OpRunner r = strided(a, Tensor.of(a, new String[] {"a", "bb", "ccc", "dddd", "e"}), new int[] {-1},
        new int[] {0}, new int[] {-2}).attr("end_mask", 1L)) {
      assertArrayEquals(new String[] {"e", "ccc", "a"}, r.run().toStringArray());
    }
  }

  @Test
  void stridedSliceWithZeroStrideFails(BufferAllocator a) {
    try (OpRunner r = strided(a, Tensor.of(a, new int[3]), new int[] {0}, new int[] {1}, new int[] {0})) {
      assertThrows(InvalidArgumentException.class, r::infer);
    }
  }
}
