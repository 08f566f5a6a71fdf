package dev.quiver.executor.kernels.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.executor.kernels.OpRunner;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Elementwise binary ops at the kernel level; expectations follow numpy broadcasting and TF 1.x semantics. */
@ExtendWith(LeakCheckedAllocator.class)
class BinaryOpsTest {
  private static final IntraOpPool POOL = new IntraOpPool(2);

  @AfterAll
  static void closePool() {
    POOL.close();
  }

  @Test
  void addBroadcastsRowAgainstMatrix(BufferAllocator alloc) {
    try (Tensor a = Tensor.of(alloc, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
         Tensor b = Tensor.of(alloc, new float[] {10, 20, 30}, 3);
         Tensor r = OpRunner.run1(alloc, POOL, "Add", Attrs.empty(), a, b)) {
      assertEquals(Shape.of(2, 3), r.shape());
      assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, r.toFloatArray());
    }
  }

  @Test
  void subBroadcastsColumnAgainstRow(BufferAllocator alloc) {
    try (Tensor a = Tensor.of(alloc, new double[] {1, 2}, 2, 1);
         Tensor b = Tensor.of(alloc, new double[] {10, 20, 30}, 1, 3);
         Tensor r = OpRunner.run1(alloc, POOL, "Sub", Attrs.empty(), a, b)) {
      assertEquals(Shape.of(2, 3), r.shape());
      assertArrayEquals(new double[] {-9, -19, -29, -8, -18, -28}, r.toDoubleArray());
    }
  }

  @Test
  void mulWrapsOnInt32Overflow(BufferAllocator alloc) {
    try (Tensor a = Tensor.of(alloc, new int[] {Integer.MAX_VALUE, 70000}, 2);
         Tensor b = Tensor.scalar(alloc, 70000);
         Tensor r = OpRunner.run1(alloc, POOL, "Mul", Attrs.empty(), a, b)) {
      assertArrayEquals(new int[] {Integer.MAX_VALUE * 70000, 70000 * 70000}, r.toIntArray());
    }
  }

  @Test
  void realDivOfFloatsFollowsIeee(BufferAllocator alloc) {
    try (Tensor a = Tensor.of(alloc, new float[] {1, -1, 0, 6}, 4);
         Tensor b = Tensor.of(alloc, new float[] {0, 0, 0, 4}, 4);
         Tensor r = OpRunner.run1(alloc, POOL, "RealDiv", Attrs.empty(), a, b)) {
      float[] v = r.toFloatArray();
      assertEquals(Float.POSITIVE_INFINITY, v[0]);
      assertEquals(Float.NEGATIVE_INFINITY, v[1]);
      assertTrue(Float.isNaN(v[2]));
      assertEquals(1.5f, v[3]);
    }
  }

  @Test
  void largeTensorsSplitOverThePoolMatchTheScalarResult(BufferAllocator alloc) {
    int n = 1_000_003;
    float[] x = new float[n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = i * 0.5f;
      y[i] = (i % 7) - 3;
    }
    try (Tensor a = Tensor.of(alloc, x, n); Tensor b = Tensor.of(alloc, y, n);
         Tensor r = OpRunner.run1(alloc, POOL, "Mul", Attrs.empty(), a, b)) {
      float[] v = r.toFloatArray();
      for (int i = 0; i < n; i++) {
        assertEquals(x[i] * y[i], v[i], "element " + i);
      }
    }
  }

  @Test
  void integerDivisionByZeroIsInvalidArgumentAsInTf(BufferAllocator alloc) {
    // TF 1.x CPU: Div/FloorDiv/FloorMod on int32 with a zero divisor fail with "Integer division by zero"
    try (Tensor a = Tensor.of(alloc, new int[] {7, 7}, 2); Tensor b = Tensor.of(alloc, new int[] {2, 0}, 2)) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
          () -> OpRunner.run1(alloc, POOL, "FloorDiv", Attrs.empty(), a, b));
      assertTrue(e.getMessage().contains("Integer division by zero"), e.getMessage());
      assertTrue(e.getMessage().contains("floordiv"), e.getMessage());
    }
  }

  @Test
  void incompatibleShapesFailAtInferenceNamingTheOp(BufferAllocator alloc) {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> OpRunner.inferSpecs("Add",
        Attrs.empty(), new DType[] {DType.FLOAT32, DType.FLOAT32}, new Shape[] {Shape.of(2, 3), Shape.of(4)}));
    assertTrue(e.getMessage().startsWith("Add op 'add'"), e.getMessage());
  }

  @Test
  void unknownDimsBroadcastToTheKnownSize() {
    var specs = OpRunner.inferSpecs("Mul", Attrs.empty(), new DType[] {DType.INT64, DType.INT64},
        new Shape[] {Shape.of(-1, 3), Shape.of(5, 1, 1)});
    assertEquals(Shape.of(5, -1, 3), specs.get(0).shape());
  }

  @Test
  void mixedDtypesAreATypeError() {
    assertThrows(IllegalArgumentException.class, () -> OpRunner.inferSpecs("Add", Attrs.empty(),
        new DType[] {DType.FLOAT32, DType.INT32}, new Shape[] {Shape.of(2), Shape.of(2)}));
  }

  @Test
  void emptyInputsGiveAnEmptyOutput(BufferAllocator alloc) {
    try (Tensor a = Tensor.of(alloc, new long[0], 0, 3); Tensor b = Tensor.of(alloc, new long[] {1, 2, 3}, 3);
         Tensor r = OpRunner.run1(alloc, POOL, "Add", Attrs.empty(), a, b)) {
      assertEquals(Shape.of(0, 3), r.shape());
    }
  }

  @Test
  void concatenatesStringsWithBroadcastingAndMultiByteCharacters(BufferAllocator a) {
    // the left operand is a slice: its strings start at byte 4 of the data buffer
    try (Tensor whole = Tensor.of(a, new String[] {"skip", "ä", "", "日"}, 4);
         Tensor tail = whole.slice(1, 4);
         Tensor left = tail.reshape(Shape.of(3, 1));
         Tensor right = Tensor.of(a, new String[] {"-x", "", "本"}, 1, 3);
         Tensor out = OpRunner.run1(a, POOL, "Add", Attrs.empty(), left, right)) {
      assertEquals(Shape.of(3, 3), out.shape());
      assertArrayEquals(new String[] {"ä-x", "ä", "ä本", "-x", "", "本", "日-x", "日", "日本"}, out.toStringArray());
    }
  }

  @Test
  void concatenatesAScalarOntoEveryElement(BufferAllocator a) {
    try (Tensor pre = Tensor.scalar(a, "pre/"); Tensor x = Tensor.of(a, new String[] {"a", "", "ßc"}, 3);
         Tensor out = OpRunner.run1(a, POOL, "Add", Attrs.empty(), pre, x)) {
      assertArrayEquals(new String[] {"pre/a", "pre/", "pre/ßc"}, out.toStringArray());
    }
  }
}
