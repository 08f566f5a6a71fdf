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

/** Reshape, ExpandDims, Squeeze, Identity: semantics from tf.reshape / tf.expand_dims / tf.squeeze docs. */
@ExtendWith(LeakCheckedAllocator.class)
class ViewOpsTest {
  @Test
  void reshapeInfersMinusOneAndSharesTheInputMemory(BufferAllocator a) {
    Tensor in = Tensor.of(a, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    try (OpRunner r = OpRunner.op(a, "Reshape").input(in).input(Tensor.of(a, new int[] {-1, 2}))) {
      Tensor out = r.run();
      assertEquals(Shape.of(3, 2), out.shape());
      assertEquals(in.address(), out.address(), "a reshape is a view, not a copy");
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, out.toFloatArray());
    }
  }

  @Test
  void reshapeOfAnEmptyTensorToAShapeWithAZeroResolvesMinusOneFromTheNonzeroDims(BufferAllocator a) {
    // TF 2.21: tf.reshape(tf.zeros([1, 4, 3, 0]), [3, 0, -1, 1]).shape -> (3, 0, 4, 1), [5, -1, 0] -> (5, 2, 0)
    for (boolean dynamic : new boolean[] {false, true}) {
      try (OpRunner r = OpRunner.op(a, "Reshape").input(Tensor.of(a, new float[0], 1, 4, 3, 0))
          .input(Tensor.of(a, new int[] {3, 0, -1, 1}))) {
        assertEquals(Shape.of(3, 0, 4, 1), (dynamic ? r.dynamic() : r).run().shape());
      }
      try (OpRunner r = OpRunner.op(a, "Reshape").input(Tensor.of(a, new float[0], 1, 4, 3, 0))
          .input(Tensor.of(a, new int[] {5, -1, 0}))) {
        assertEquals(Shape.of(5, 2, 0), (dynamic ? r.dynamic() : r).run().shape());
      }
    }
  }

  @Test
  void reshapeToTheWrongElementCountFailsAtBuildTimeNamingTheOp(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Reshape").input(Tensor.of(a, new int[6], 2, 3))
        .input(Tensor.of(a, new int[] {4}))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::infer);
      assertTrue(e.getMessage().contains("Reshape op 'reshape_1'"), e.getMessage());
      assertTrue(e.getMessage().contains("6 values"), e.getMessage());
    }
  }

  @Test
  void reshapeToTheWrongElementCountFailsAtRunTimeWhenTheShapeIsNotConstant(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Reshape").input(Tensor.of(a, new int[6], 2, 3))
        .input(Tensor.of(a, new int[] {4})).dynamic()) {
      assertEquals(Shape.unknownDims(1), r.infer().get(0).shape());
      assertThrows(InvalidArgumentException.class, r::run);
    }
  }

  @Test
  void reshapeOfStringsKeepsTheStrings(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Reshape").input(Tensor.of(a, new String[] {"a", "bb", "", "ddd"}))
        .input(Tensor.of(a, new long[] {2, 2}))) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 2), out.shape());
      assertArrayEquals(new String[] {"a", "bb", "", "ddd"}, out.toStringArray());
    }
  }

  @Test
  void expandDimsAcceptsNegativeAxesCountingFromTheEnd(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "ExpandDims").input(Tensor.of(a, new int[6], 2, 3))
        .input(Tensor.scalar(a, -1))) {
      assertEquals(Shape.of(2, 3, 1), r.run().shape());
    }
    try (OpRunner r = OpRunner.op(a, "ExpandDims").input(Tensor.of(a, new int[6], 2, 3))
        .input(Tensor.scalar(a, 4))) {
      assertThrows(InvalidArgumentException.class, r::infer);
    }
  }

  @Test
  void squeezeWithoutDimsRemovesEverySizeOneDim(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Squeeze").input(Tensor.of(a, new int[6], 1, 2, 1, 3, 1))) {
      assertEquals(Shape.of(2, 3), r.run().shape());
    }
  }

  @Test
  void squeezeOfADimThatIsNotOneFails(BufferAllocator a) {
    try (OpRunner r = OpRunner.op(a, "Squeeze").input(Tensor.of(a, new int[6], 1, 2, 3))
        .attr("squeeze_dims", new long[] {0, -1})) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::infer);
      assertTrue(e.getMessage().contains("squeeze dim[2]"), e.getMessage());
    }
  }

  @Test
  void identityForwardsTheSameMemory(BufferAllocator a) {
    Tensor in = Tensor.of(a, new String[] {"x", "y"});
    try (OpRunner r = OpRunner.op(a, "Identity").input(in)) {
      Tensor out = r.run();
      assertEquals(in.address(), out.address());
      assertArrayEquals(new String[] {"x", "y"}, out.toStringArray());
    }
  }
}
