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

/**
 * MatMul, BatchMatMulV2 and BatchMatMul against a plain triple loop in double, and their shape errors in TF 2.21's
 * words (observed with tf.raw_ops on static and on unknown shapes).
 */
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

  private static final DType[] TWO_FLOATS = {DType.FLOAT32, DType.FLOAT32};

  /** The build-time error of {@code op} on inputs of these static shapes. */
  private static String buildError(String op, Shape a, Shape b) {
    return assertThrows(InvalidArgumentException.class,
        () -> OpRunner.inferSpecs(op, Attrs.empty(), TWO_FLOATS, new Shape[] {a, b})).getMessage();
  }

  /** The run-time error of {@code op}'s kernel on these inputs (as when their dims were unknown at build time). */
  private static String runError(BufferAllocator alloc, String op, long[] a, long[] b) {
    try (OpRunner r = OpRunner.op(alloc, op).input(Tensor.allocate(alloc, DType.FLOAT32, Shape.of(a)))
        .input(Tensor.allocate(alloc, DType.FLOAT32, Shape.of(b))).attr("adj_x", false).attr("adj_y", false)
        .attr("transpose_a", false).attr("transpose_b", false)) {
      Runnable kernel = op.equals("MatMul") ? () -> MatMul.computeMatMul(r) : () -> MatMul.computeBatch(r);
      return assertThrows(InvalidArgumentException.class, kernel::run).getMessage();
    }
  }

  private static void assertContains(String expected, String message) {
    assertTrue(message.contains(expected), "expected '" + expected + "' in: " + message);
  }

  @Test
  void mismatchedInnerDimsFailInTensorFlowsWords(BufferAllocator alloc) {
    // TF 2.21: at build time "Dimensions must be equal, but are 3 and 4", at run time "Matrix size-incompatible"
    assertContains("Dimensions must be equal, but are 3 and 4", buildError("MatMul", Shape.of(2, 3), Shape.of(4, 5)));
    assertContains("Dimensions must be equal, but are 4 and 5",
        buildError("BatchMatMul", Shape.of(2, 3, 4), Shape.of(-1, 5, 5)));
    assertContains("Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5]",
        runError(alloc, "MatMul", new long[] {2, 3}, new long[] {4, 5}));
    assertContains("Matrix size-incompatible: In[0]: [2,3,4], In[1]: [2,5,5]",
        runError(alloc, "BatchMatMul", new long[] {2, 3, 4}, new long[] {2, 5, 5}));
  }

  @Test
  void batchMatMulV1MultipliesEqualBatches(BufferAllocator alloc) {
    float[] a = {1, 2, 3, 4, 5, 6, 7, 8};
    float[] b = {1, 0, 0, 1, 0, 1, 1, 0};
    try (Tensor ta = Tensor.of(alloc, a, 2, 2, 2); Tensor tb = Tensor.of(alloc, b, 2, 2, 2);
         Tensor c = OpRunner.run1(alloc, POOL, "BatchMatMul", Attrs.of("adj_y", true), ta, tb)) {
      assertEquals(Shape.of(2, 2, 2), c.shape());
      assertArrayEquals(new float[] {1, 2, 3, 4, 6, 5, 8, 7}, c.toFloatArray());
    }
  }

  @Test
  void batchMatMulV1DoesNotBroadcastBatchDims(BufferAllocator alloc) {
    // TF 2.21's BatchMatMul: build-time ValueError (InvalidArgument in its shape function) with static shapes, an
    // InvalidArgumentError from the kernel when the shapes were unknown; BatchMatMulV2 broadcasts the same inputs
    assertContains("Dimension 0 in both shapes must be equal, but are 2 and 1. Shapes are [2] and [1].",
        buildError("BatchMatMul", Shape.of(2, 3, 4), Shape.of(1, 4, 5)));
    assertContains("Shapes must be equal rank, but are 0 and 1",
        buildError("BatchMatMul", Shape.of(3, 4), Shape.of(2, 4, 5)));
    assertContains("Shape must be at least rank 2 but is rank 1",
        buildError("BatchMatMul", Shape.of(3), Shape.of(3, 4)));
    assertContains("In[0].dim(0) and In[1].dim(0) must be the same: [2,3,4] vs [1,4,5]",
        runError(alloc, "BatchMatMul", new long[] {2, 3, 4}, new long[] {1, 4, 5}));
    assertContains("In[0].dim(1) and In[1].dim(1) must be the same: [2,1,3,4] vs [2,3,4,5]",
        runError(alloc, "BatchMatMul", new long[] {2, 1, 3, 4}, new long[] {2, 3, 4, 5}));
    assertContains("In[0] and In[1] has different ndims: [3,4] vs. [2,4,5]",
        runError(alloc, "BatchMatMul", new long[] {3, 4}, new long[] {2, 4, 5}));
    assertContains("In[0] and In[1] ndims must be >= 2: 1",
        runError(alloc, "BatchMatMul", new long[] {3}, new long[] {3}));
    assertEquals(Shape.of(2, 3, 5), OpRunner.inferSpecs("BatchMatMulV2", Attrs.empty(), TWO_FLOATS,
        new Shape[] {Shape.of(2, 3, 4), Shape.of(1, 4, 5)}).get(0).shape());
    assertEquals(Shape.of(2, 3, 5), OpRunner.inferSpecs("BatchMatMulV2", Attrs.empty(), TWO_FLOATS,
        new Shape[] {Shape.of(3, 4), Shape.of(2, 4, 5)}).get(0).shape());
  }

  @Test
  void batchMatMulV1MergesUnknownBatchDimsWithKnownOnes() {
    // TF 2.21: [2,?,?] x [?,4,5] is [2,?,5]; unknown rank x [2,4,5] is [2,?,5]; V2 of an unknown rank is unknown
    assertEquals(Shape.of(2, -1, 5), OpRunner.inferSpecs("BatchMatMul", Attrs.empty(), TWO_FLOATS,
        new Shape[] {Shape.of(2, -1, -1), Shape.of(-1, 4, 5)}).get(0).shape());
    assertEquals(Shape.of(2, -1, 5), OpRunner.inferSpecs("BatchMatMul", Attrs.empty(), TWO_FLOATS,
        new Shape[] {Shape.unknown(), Shape.of(2, 4, 5)}).get(0).shape());
    assertEquals(Shape.unknown(), OpRunner.inferSpecs("BatchMatMulV2", Attrs.empty(), TWO_FLOATS,
        new Shape[] {Shape.unknown(), Shape.of(2, 4, 5)}).get(0).shape());
  }

  @Test
  void batchMatMulV2RejectsBatchDimsThatDoNotBroadcast(BufferAllocator alloc) {
    // TF 2.21: "Dimensions must be equal, but are 2 and 3" when built, the kernel's words when run
    assertContains("Dimensions must be equal, but are 2 and 3",
        buildError("BatchMatMulV2", Shape.of(2, 3, 4), Shape.of(3, 4, 5)));
    assertContains("In[0] and In[1] must have compatible batch dimensions: [2,3,4] vs. [3,4,5]",
        runError(alloc, "BatchMatMulV2", new long[] {2, 3, 4}, new long[] {3, 4, 5}));
    assertContains("In[0] ndims must be >= 2: 1", runError(alloc, "BatchMatMulV2", new long[] {3}, new long[] {3, 4}));
  }
}
