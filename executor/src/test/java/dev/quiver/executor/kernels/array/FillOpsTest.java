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

/** Fill, ZerosLike, OnesLike, OneHot, Range, LinSpace, Shape, Size, Rank (tf.* docs examples). */
@ExtendWith(LeakCheckedAllocator.class)
class FillOpsTest {
  @Test
  void fillRepeatsTheValue(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Fill").input(Tensor.of(a, new int[] {2, 3})).input(Tensor.scalar(a, 9L))) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 3), out.shape());
      assertArrayEquals(new long[] {9, 9, 9, 9, 9, 9}, out.toLongArray());
    }
    try (OpRunner r = OpRunner.op(a, "Fill").input(Tensor.of(a, new int[] {2})).input(Tensor.scalar(a, "hi"))) {
      assertArrayEquals(new String[] {"hi", "hi"}, r.run().toStringArray());
    }
  }

  @Test
  void fillWithANegativeDimensionFailsInTensorFlowsWords(BufferAllocator a) {
    // TF 2.21: tf.fill([2, -3], 1.0) raises InvalidArgumentError "Dimension -3 must be >= 0"
    try (OpRunner r = OpRunner.op(a, "Fill").input(Tensor.of(a, new int[] {2, -3})).input(Tensor.scalar(a, 1f))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("Dimension -3 must be >= 0"), e.getMessage());
    }
  }

  @Test
  void zerosLikeAndOnesLikeKeepDtypeAndShape(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "OnesLike").input(Tensor.of(a, new short[] {5, 6, 7}))) {
      Tensor out = r.run();
      assertEquals(DType.INT16, out.dtype());
      assertArrayEquals(new short[] {1, 1, 1}, out.toShortArray());
    }
    try (OpRunner r = OpRunner.op(a, "ZerosLike").input(Tensor.of(a, new double[] {5, 6}))) {
      assertArrayEquals(new double[] {0, 0}, r.run().toDoubleArray());
    }
  }

  @Test
  void oneHotPutsOnValuesAtTheIndicesAndSkipsOutOfRange(BufferAllocator a) {
    // tf.one_hot([0, 2, -1, 1], 3, 5.0, 0.0, axis=-1) -> [[5,0,0],[0,0,5],[0,0,0],[0,5,0]]
    try (OpRunner r = OpRunner.op(a, "OneHot").input(Tensor.of(a, new int[] {0, 2, -1, 1})).input(Tensor.scalar(a, 3))
        .input(Tensor.scalar(a, 5f)).input(Tensor.scalar(a, 0f)).attr("axis", -1L)) {
      Tensor out = r.run();
      assertEquals(Shape.of(4, 3), out.shape());
      assertArrayEquals(new float[] {5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5, 0}, out.toFloatArray());
    }
  }

  @Test
  void zerosLikeOfStringsIsEmptyStrings(BufferAllocator a) {
    // TF 2.21: tf.raw_ops.ZerosLike(x=tf.constant(["a", "b"])) -> [b'', b''] (OnesLike has no string kernel)
    try (OpRunner r = OpRunner.op(a, "ZerosLike").input(Tensor.of(a, new String[] {"a", "bc", "é"}, 3, 1))) {
      Tensor out = r.run();
      assertEquals(Shape.of(3, 1), out.shape());
      assertArrayEquals(new String[] {"", "", ""}, out.toStringArray());
    }
  }

  @Test
  void oneHotTakesUint8Indices(BufferAllocator a) {
    // TF 2.21: tf.raw_ops.OneHot(indices=tf.constant([0, 1], tf.uint8), depth=2, on_value=1., off_value=0.)
    Tensor ix = Tensor.allocate(a, DType.UINT8, Shape.of(3));
    ix.dataBuffer().setByte(0, 1);
    ix.dataBuffer().setByte(1, 0);
    ix.dataBuffer().setByte(2, 200);
    try (OpRunner r = OpRunner.op(a, "OneHot").input(ix).input(Tensor.scalar(a, 2)).input(Tensor.scalar(a, 1f))
        .input(Tensor.scalar(a, 0f))) {
      assertArrayEquals(new float[] {0, 1, 1, 0, 0, 0}, r.run().toFloatArray());
    }
  }

  @Test
  void oneHotAlongAxisZero(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "OneHot").input(Tensor.of(a, new long[] {1, 0})).input(Tensor.scalar(a, 2))
        .input(Tensor.scalar(a, "on")).input(Tensor.scalar(a, "off")).attr("axis", 0L)) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 2), out.shape());
      assertArrayEquals(new String[] {"off", "on", "on", "off"}, out.toStringArray());
    }
  }

  @Test
  void rangeCountsUpAndDown(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Range").input(Tensor.scalar(a, 3)).input(Tensor.scalar(a, 18))
        .input(Tensor.scalar(a, 3))) {
      assertArrayEquals(new int[] {3, 6, 9, 12, 15}, r.run().toIntArray());
    }
    try (OpRunner r = OpRunner.op(a, "Range").input(Tensor.scalar(a, 3f)).input(Tensor.scalar(a, 1f))
        .input(Tensor.scalar(a, -0.5f))) {
      assertArrayEquals(new float[] {3, 2.5f, 2, 1.5f}, r.run().toFloatArray());
    }
  }

  @Test
  void rangeWithDeltaAgainstTheDirectionFails(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Range").input(Tensor.scalar(a, 3)).input(Tensor.scalar(a, 1))
        .input(Tensor.scalar(a, 1))) {
      assertThrows(InvalidArgumentException.class, r::infer);
    }
  }

  @Test
  void linSpaceEndsExactlyAtStop(BufferAllocator a) {
    // tf.linspace(10.0, 12.0, 3) -> [10, 11, 12]
    try (OpRunner r = OpRunner.op(a, "LinSpace").input(Tensor.scalar(a, 10.0)).input(Tensor.scalar(a, 12.0))
        .input(Tensor.scalar(a, 3))) {
      assertArrayEquals(new double[] {10, 11, 12}, r.run().toDoubleArray());
    }
  }

  @Test
  void shapeSizeAndRankDescribeTheInput(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Shape").input(Tensor.of(a, new int[12], 2, 2, 3)).attr("out_type", DType.INT64)) {
      assertArrayEquals(new long[] {2, 2, 3}, r.run().toLongArray());
    }
    try (OpRunner r = OpRunner.op(a, "Size").input(Tensor.of(a, new int[12], 2, 2, 3))) {
      assertEquals(12, r.run().getInt(0));
    }
    try (OpRunner r = OpRunner.op(a, "Rank").input(Tensor.of(a, new int[12], 2, 2, 3))) {
      assertEquals(3, r.run().getInt(0));
    }
  }
}
