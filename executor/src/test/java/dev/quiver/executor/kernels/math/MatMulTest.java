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
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MatMul and BatchMatMulV2 against a plain triple loop in double (TF's MatMul/BatchMatMulV2 semantics). */
@ExtendWith(LeakCheckedAllocator.class)
class MatMulTest {
  private static final IntraOpPool POOL = new IntraOpPool(2);

  @AfterAll
  static void closePool() {
    POOL.close();
  }

  private static float[] random(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return v;
  }

  private static void check(BufferAllocator alloc, int m, int n, int k, boolean ta, boolean tb) {
    Random r = new Random(m * 31L + n * 7L + k);
    float[] a = random(r, m * k);
    float[] b = random(r, k * n);
    long[] as = ta ? new long[] {k, m} : new long[] {m, k};
    long[] bs = tb ? new long[] {n, k} : new long[] {k, n};
    try (Tensor ta0 = Tensor.of(alloc, a, as); Tensor tb0 = Tensor.of(alloc, b, bs);
         Tensor c = OpRunner.run1(alloc, POOL, "MatMul", Attrs.of("transpose_a", ta, "transpose_b", tb), ta0, tb0)) {
      assertEquals(Shape.of(m, n), c.shape());
      float[] got = c.toFloatArray();
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int p = 0; p < k; p++) {
            s += (double) a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
          }
          assertEquals(s, got[i * n + j], 1e-4 * Math.max(1, Math.sqrt(k)), m + "x" + n + "x" + k + " at " + i + "," + j);
        }
      }
    }
  }

  @Test
  void sgemmMatchesTheTripleLoopOnEdgeSizes(BufferAllocator alloc) {
    int[][] sizes = {{1, 1, 1}, {6, 16, 3}, {7, 17, 5}, {13, 33, 300}, {100, 50, 257}, {97, 130, 513}, {5, 0, 3}};
    for (int[] s : sizes) {
      check(alloc, s[0], s[1], s[2], false, false);
    }
  }

  @Test
  void transposedOperandsAreReadInPlace(BufferAllocator alloc) {
    check(alloc, 19, 23, 29, true, false);
    check(alloc, 19, 23, 29, false, true);
    check(alloc, 64, 48, 260, true, true);
  }

  @Test
  void parallelProductsSplitOverColumnsOrRowsMatchTheTripleLoop(BufferAllocator alloc) {
    check(alloc, 200, 301, 280, false, false); // wide C: each thread owns a block of columns
    check(alloc, 500, 10, 70, false, false); // narrow C: each thread owns a block of rows
    check(alloc, 150, 170, 300, true, true);
    check(alloc, 131, 97, 520, false, true);
  }

  @Test
  void productsOfSeveralPanelsAndStepsMatchTheTripleLoop(BufferAllocator alloc) {
    check(alloc, 20, 2100, 300, false, false); // two column panels (the second 52 wide) and two k slices
    check(alloc, 3, 2049, 40, true, true); // one row block: its columns split between the threads
    check(alloc, 700, 37, 520, false, true); // more row blocks than threads, rounded to a multiple of them
  }

  /** Sgemm sums each element's k slices in one order, so the threads and its split of the work change no bit. */
  @Test
  void float32ProductsDoNotDependOnTheNumberOfThreads(BufferAllocator alloc) {
    Random r = new Random(42);
    int m = 301;
    int n = 2071;
    int k = 530;
    try (Tensor a = Tensor.of(alloc, random(r, m * k), m, k); Tensor b = Tensor.of(alloc, random(r, k * n), k, n)) {
      float[] expected = null;
      for (int threads : new int[] {1, 2, 3}) {
        try (IntraOpPool pool = new IntraOpPool(threads);
             Tensor c = OpRunner.run1(alloc, pool, "MatMul", Attrs.empty(), a, b)) {
          float[] got = c.toFloatArray();
          if (expected == null) {
            expected = got;
          } else {
            assertArrayEquals(expected, got, threads + " threads");
          }
        }
      }
    }
  }

  @Test
  void zeroInnerDimensionGivesZeros(BufferAllocator alloc) {
    try (Tensor a = Tensor.of(alloc, new float[0], 2, 0); Tensor b = Tensor.of(alloc, new float[0], 0, 3);
         Tensor c = OpRunner.run1(alloc, POOL, "MatMul", Attrs.empty(), a, b)) {
      assertArrayEquals(new float[6], c.toFloatArray());
    }
  }

  @Test
  void batchMatMulBroadcastsBatchDims(BufferAllocator alloc) {
    // [2,1,2,2] x [3,2,2] -> [2,3,2,2], as numpy.matmul
    float[] a = {1, 2, 3, 4, 5, 6, 7, 8};
    float[] b = {1, 0, 0, 1, 2, 0, 0, 2, 0, 1, 1, 0};
    try (Tensor ta = Tensor.of(alloc, a, 2, 1, 2, 2); Tensor tb = Tensor.of(alloc, b, 3, 2, 2);
         Tensor c = OpRunner.run1(alloc, POOL, "BatchMatMulV2", Attrs.empty(), ta, tb)) {
      assertEquals(Shape.of(2, 3, 2, 2), c.shape());
      assertArrayEquals(new float[] {1, 2, 3, 4, 2, 4, 6, 8, 2, 1, 4, 3, 5, 6, 7, 8, 10, 12, 14, 16, 6, 5, 8, 7},
          c.toFloatArray());
    }
  }

  @Test
  void int64MatMulWraps(BufferAllocator alloc) {
    try (Tensor a = Tensor.of(alloc, new long[] {Long.MAX_VALUE, 1}, 1, 2);
         Tensor b = Tensor.of(alloc, new long[] {2, 3}, 2, 1);
         Tensor c = OpRunner.run1(alloc, POOL, "MatMul", Attrs.empty(), a, b)) {
      assertEquals(Long.MAX_VALUE * 2 + 3, c.getLong(0));
    }
  }

  @Test
  void mismatchedInnerDimsFailAtInference() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> OpRunner.inferSpecs("MatMul",
        Attrs.empty(), new DType[] {DType.FLOAT32, DType.FLOAT32}, new Shape[] {Shape.of(2, 3), Shape.of(4, 5)}));
    assertTrue(e.getMessage().contains("Matrix size-incompatible"), e.getMessage());
  }
}
