package dev.quiver.executor.kernels.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.kernels.OpRunner;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SelectV2 ({@code tf.where(cond, x, y)}) at the kernel level, on fixed-width and string values. Strings are
 * copied as bytes, so the cases include multi-byte UTF-8, empty strings and inputs whose data does not start at
 * byte 0 (slices of a larger tensor).
 */
@ExtendWith(LeakCheckedAllocator.class)
class SelectTest {
  private static OpRunner select(BufferAllocator a, Tensor c, Tensor x, Tensor y) {
    return OpRunner.op(a, "SelectV2").input(c).input(x).input(y);
  }

  @Test
  void picksNumbersWithEveryInputBroadcast(BufferAllocator a) {
    try (OpRunner r = select(a, Tensor.of(a, new boolean[] {true, false, true}, 3),
        Tensor.of(a, new double[] {1, 2}, 2, 1), Tensor.scalar(a, -1.0))) {
      Tensor out = r.run();
      assertEquals(Shape.of(2, 3), out.shape());
      assertArrayEquals(new double[] {1, -1, 1, 2, -1, 2}, out.toDoubleArray());
    }
  }

  @Test
  void picksStringsWithTheConditionBroadcastOverRows(BufferAllocator a) {
    try (OpRunner r = select(a, Tensor.of(a, new boolean[] {true, false}, 1, 2),
        Tensor.of(a, new String[] {"日本", "", "é", "x y"}, 2, 2), Tensor.of(a, new String[] {"no", "ñ"}, 2))) {
      Tensor out = r.run();
      assertEquals(DType.STRING, out.dtype());
      assertEquals(Shape.of(2, 2), out.shape());
      assertArrayEquals(new String[] {"日本", "ñ", "é", "ñ"}, out.toStringArray());
    }
  }

  @Test
  void picksStringsFromAScalarAndFromSlicesThatDoNotStartAtByteZero(BufferAllocator a) {
    try (Tensor whole = Tensor.of(a, new String[] {"skip", "ab", "çd", "", "ef"}, 5);
         Tensor tail = whole.slice(1, 5);
         OpRunner r = select(a, Tensor.of(a, new boolean[] {true, true, false, true}, 4), tail.share(),
             Tensor.scalar(a, "—"))) {
      assertArrayEquals(new String[] {"ab", "çd", "—", "ef"}, r.run().toStringArray());
    }
  }

  @Test
  void longRunsFromOneInputComeOutWhole(BufferAllocator a) {
    String[] x = new String[300];
    String[] y = new String[300];
    boolean[] c = new boolean[300];
    String[] expected = new String[300];
    for (int i = 0; i < 300; i++) {
      x[i] = "x" + i;
      y[i] = "ÿ" + i;
      c[i] = i / 100 != 1; // rows 0..99 and 200..299 from x: two long runs around one of y
      expected[i] = c[i] ? x[i] : y[i];
    }
    try (OpRunner r = select(a, Tensor.of(a, c, 300), Tensor.of(a, x, 300), Tensor.of(a, y, 300))) {
      assertArrayEquals(expected, r.run().toStringArray());
    }
  }

  @Test
  void anEmptyStringSelectionIsEmpty(BufferAllocator a) {
    // TF 2.21: SelectV2 of a [0, 3] condition with [1, 3] and [1] strings gives a [0, 3] string tensor
    try (OpRunner r = select(a, Tensor.of(a, new boolean[0], 0, 3), Tensor.of(a, new String[] {"a", "b", "c"}, 1, 3),
        Tensor.of(a, new String[] {"x"}, 1))) {
      Tensor out = r.run();
      assertEquals(Shape.of(0, 3), out.shape());
      assertEquals(DType.STRING, out.dtype());
    }
  }

  @Test
  void shapesThatDoNotBroadcastFailAtRunTimeInTensorFlowsWords(BufferAllocator a) {
    // the kernel alone, as when the dims were unknown at build time; TF 2.21 then says "condition [2,3], then [5,3], and else [3] must be broadcastable"
    try (OpRunner r = select(a, Tensor.of(a, new boolean[6], 2, 3), Tensor.of(a, new String[] {"", "", "", "", "", "", "", "", "", "", "", "", "", "", ""}, 5, 3),
        Tensor.of(a, new String[] {"", "", ""}, 3))) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Select.compute(r));
      assertTrue(e.getMessage().contains("condition [2,3], then [5,3], and else [3] must be broadcastable"),
          e.getMessage());
    }
  }
}
