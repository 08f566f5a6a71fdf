package dev.quiver.executor.kernels.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.kernels.OpRunner;
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

/**
 * Where TensorFlow's CPU kernels follow a rule numpy does not: integer means, NaN in ArgMax/ArgMin and float32
 * Softmax, dtypes TF rejects, and the words of broadcast errors. Every expectation was read from TF 2.21
 * ({@code tf.raw_ops}, default x86 build) and is quoted next to its assertion.
 */
@ExtendWith(LeakCheckedAllocator.class)
class TensorFlowEdgeRulesTest {
  private static final IntraOpPool POOL = new IntraOpPool(2);
  private static final float NAN = Float.NaN;
  private static final float INF = Float.POSITIVE_INFINITY;

  @AfterAll
  static void closePool() {
    POOL.close();
  }

  private static Tensor mean(BufferAllocator a, Tensor x, int... axes) {
    try (x; Tensor ax = Tensor.of(a, axes, axes.length)) {
      return OpRunner.run1(a, POOL, "Mean", Attrs.of("keep_dims", false), x, ax);
    }
  }

  @Test
  void integerMeansSumWideAndTruncate(BufferAllocator a) {
    // TF 2.21: Mean(int8 [100, 100, 1]) = 67; Mean(int8 [-3, -4]) = -3; Mean(int32 [MAX, MAX]) = MAX;
    // Mean(int32 [MAX, MAX, 1]) = 1431655765; Mean(uint8 [200, 200]) = 200
    try (Tensor r = mean(a, Tensor.of(a, new byte[] {100, 100, 1}, 3), 0)) {
      assertEquals(67, r.dataBuffer().getByte(0));
    }
    try (Tensor r = mean(a, Tensor.of(a, new byte[] {-3, -4}, 2), 0)) {
      assertEquals(-3, r.dataBuffer().getByte(0));
    }
    int max = Integer.MAX_VALUE;
    try (Tensor r = mean(a, Tensor.of(a, new int[] {max, max}, 2), 0)) {
      assertEquals(max, r.dataBuffer().getInt(0));
    }
    try (Tensor r = mean(a, Tensor.of(a, new int[] {max, max, 1}, 3), 0)) {
      assertEquals(1431655765, r.dataBuffer().getInt(0));
    }
    try (Tensor r = mean(a, Tensor.ofUint8(a, new byte[] {(byte) 200, (byte) 200}, 2), 0)) {
      assertEquals(200, r.dataBuffer().getByte(0) & 0xFF);
    }
  }

  @Test
  void integerMeansOverSeveralAxesStayWideBetweenStages(BufferAllocator a) {
    // TF 2.21: Mean(int8 full((3, 2, 4), 100), axis=[0, 2]) = [100, 100]; Mean(int32 [[MAX, MAX], [1, 2]], 0)
    // = [1073741824, 1073741824]
    byte[] hundreds = new byte[24];
    java.util.Arrays.fill(hundreds, (byte) 100);
    try (Tensor r = mean(a, Tensor.of(a, hundreds, 3, 2, 4), 0, 2)) {
      assertEquals(Shape.of(2), r.shape());
      assertEquals(100, r.dataBuffer().getByte(0));
      assertEquals(100, r.dataBuffer().getByte(1));
    }
    int max = Integer.MAX_VALUE;
    try (Tensor r = mean(a, Tensor.of(a, new int[] {max, max, 1, 2}, 2, 2), 0)) {
      assertArrayEquals(new int[] {1073741824, 1073741824}, r.toIntArray());
    }
  }

  @Test
  void int64MeansWrapAsInTensorFlow(BufferAllocator a) {
    // TF 2.21: Mean(int64 [MAX, MAX]) = -1 (the int64 sum wraps to -2)
    try (Tensor r = mean(a, Tensor.of(a, new long[] {Long.MAX_VALUE, Long.MAX_VALUE}, 2), 0)) {
      assertEquals(-1L, r.dataBuffer().getLong(0));
    }
  }

  private static long arg(BufferAllocator a, String op, float... v) {
    try (Tensor x = Tensor.of(a, v, v.length); Tensor axis = Tensor.scalar(a, 0);
         Tensor r = OpRunner.run1(a, POOL, op, Attrs.of("output_type", DType.INT64), x, axis)) {
      return r.dataBuffer().getLong(0);
    }
  }

  @Test
  void argMaxAndArgMinSkipNaNs(BufferAllocator a) {
    // TF 2.21: argmax/argmin of [nan, 1] = 1/1; [nan, 1, nan, 5] = 3/1; [nan, nan] = 0/0; [1, nan] = 0/0
    assertEquals(1, arg(a, "ArgMax", NAN, 1));
    assertEquals(1, arg(a, "ArgMin", NAN, 1));
    assertEquals(3, arg(a, "ArgMax", NAN, 1, NAN, 5));
    assertEquals(1, arg(a, "ArgMin", NAN, 1, NAN, 5));
    assertEquals(0, arg(a, "ArgMax", NAN, NAN));
    assertEquals(0, arg(a, "ArgMin", 1, NAN));
    // the scan starts from the lowest finite value: argmax([nan, -inf]) = 0, argmin([nan, -inf]) = 1,
    // argmin([nan, inf]) = 0, argmax([nan, inf]) = 1
    assertEquals(0, arg(a, "ArgMax", NAN, -INF));
    assertEquals(1, arg(a, "ArgMin", NAN, -INF));
    assertEquals(0, arg(a, "ArgMin", NAN, INF));
    assertEquals(1, arg(a, "ArgMax", NAN, INF));
  }

  @Test
  void argMaxTakesBools(BufferAllocator a) {
    // TF 2.21 registers ArgMax for bool: the first true
    try (Tensor x = Tensor.of(a, new boolean[] {false, true, true}, 3); Tensor axis = Tensor.scalar(a, 0);
         Tensor r = OpRunner.run1(a, POOL, "ArgMax", Attrs.of("output_type", DType.INT32), x, axis)) {
      assertEquals(1, r.dataBuffer().getInt(0));
    }
  }

  @Test
  void float32SoftmaxOfARowWithNaNOrInfIsZeroOutsideTheNaNs(BufferAllocator a) {
    // TF 2.21 (oneDNN, float32): softmax([[1, nan, 2], [inf, 1, 2], [-inf, -inf, -inf], [-inf, -inf, nan]])
    //   = [[0, nan, 0], [nan, 0, 0], [nan, nan, nan], [0, 0, nan]]
    try (Tensor x = Tensor.of(a, new float[] {1, NAN, 2, INF, 1, 2, -INF, -INF, -INF, -INF, -INF, NAN}, 4, 3);
         Tensor r = OpRunner.run1(a, POOL, "Softmax", Attrs.empty(), x)) {
      assertArrayEquals(new float[] {0, NAN, 0, NAN, 0, 0, NAN, NAN, NAN, 0, 0, NAN}, r.toFloatArray());
    }
    // float64 (Eigen): the whole row is NaN
    try (Tensor x = Tensor.of(a, new double[] {1, Double.NaN, 2}, 1, 3);
         Tensor r = OpRunner.run1(a, POOL, "Softmax", Attrs.empty(), x)) {
      assertArrayEquals(new double[] {Double.NaN, Double.NaN, Double.NaN}, r.toDoubleArray());
    }
  }

  @Test
  void softmaxOfEmptyRowsIsEmpty(BufferAllocator a) {
    // TF 2.21: tf.nn.softmax(tf.zeros([3, 0])) has shape [3, 0]
    try (Tensor x = Tensor.of(a, new float[0], 3, 0); Tensor r = OpRunner.run1(a, POOL, "Softmax", Attrs.empty(), x)) {
      assertEquals(Shape.of(3, 0), r.shape());
    }
  }

  @Test
  void powFollowsCNotJava(BufferAllocator a) {
    // TF 2.21 (C's pow): pow(1, nan) = 1, pow(1, inf) = 1, pow(-1, inf) = 1, pow(-1, -inf) = 1, pow(nan, 0) = 1;
    // Java's Math.pow gives NaN for the first four
    double nan = Double.NaN;
    double inf = Double.POSITIVE_INFINITY;
    try (Tensor x = Tensor.of(a, new double[] {1, 1, -1, -1, nan, 2}, 6);
         Tensor y = Tensor.of(a, new double[] {nan, inf, inf, -inf, 0, nan}, 6);
         Tensor r = OpRunner.run1(a, POOL, "Pow", Attrs.empty(), x, y)) {
      assertArrayEquals(new double[] {1, 1, 1, 1, 1, nan}, r.toDoubleArray());
    }
  }

  @Test
  void stringComparisonsOfEmptyBroadcastsAreEmpty(BufferAllocator a) {
    try (Tensor x = Tensor.of(a, new String[] {"a"}, 1, 1); Tensor y = Tensor.of(a, new String[0], 0, 1);
         Tensor eq = OpRunner.run1(a, POOL, "NotEqual", Attrs.empty(), x, y);
         Tensor cat = OpRunner.run1(a, POOL, "Add", Attrs.empty(), x, y)) {
      assertEquals(Shape.of(0, 1), eq.shape());
      assertEquals(Shape.of(0, 1), cat.shape());
    }
  }

  private static RuntimeException buildError(String op, DType... types) {
    Shape[] shapes = new Shape[types.length];
    java.util.Arrays.fill(shapes, Shape.of(2));
    return assertThrows(RuntimeException.class, () -> OpRunner.inferSpecs(op, Attrs.empty(), types, shapes));
  }

  @Test
  void dtypesTensorFlowDoesNotDeclareAreItsTypeError() {
    // TF 2.21: "Value passed to parameter 'x' has DataType uint8 not in list of allowed values: ..."
    for (String op : new String[] {"Neg", "Abs", "Sign"}) {
      RuntimeException e = buildError(op, DType.UINT8);
      assertTrue(e instanceof IllegalArgumentException, op);
      assertTrue(e.getMessage().contains(op + " op") && e.getMessage().contains("DataType uint8 not in list of allowed"
          + " values"), e.getMessage());
    }
    assertTrue(buildError("Pow", DType.UINT8, DType.UINT8) instanceof IllegalArgumentException);
    for (DType t : new DType[] {DType.INT8, DType.INT16, DType.UINT8}) {
      RuntimeException e = buildError("SquaredDifference", t, t);
      assertTrue(e.getMessage().contains("DataType " + t + " not in list"), e.getMessage());
    }
    // TF 2.21: "Input 'x' of 'LogicalNot' Op has type float32 that does not match expected type of bool."
    assertTrue(buildError("LogicalNot", DType.FLOAT32).getMessage().contains("does not match expected type of bool"));
  }

  @Test
  void dtypesTensorFlowDeclaresWithoutAKernelFailWhenBuilt() {
    // TF 2.21 builds RealDiv(int32) and Round(int8) and fails when running: "No OpKernel was registered to
    // support Op 'RealDiv' used by {{node RealDiv}} with these attrs: [T=DT_INT32]"; Quiver fails when building
    RuntimeException e = buildError("RealDiv", DType.INT32, DType.INT32);
    assertTrue(e instanceof InvalidArgumentException, e.toString());
    assertTrue(e.getMessage().contains("No OpKernel was registered to support Op 'RealDiv'"), e.getMessage());
    assertTrue(buildError("Round", DType.INT8).getMessage().contains("No OpKernel was registered"));
  }

  @Test
  void broadcastErrorsNameTheOpAndBothShapes(BufferAllocator a) {
    // TF 2.21 when building: "Dimensions must be equal, but are 3 and 4 for '{{node AddV2}} ...' with input
    // shapes: [?,3], [?,4]."; when running: "Incompatible shapes: [2,3] vs. [5,3]"
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> OpRunner.inferSpecs("AddV2",
        Attrs.empty(), new DType[] {DType.FLOAT32, DType.FLOAT32}, new Shape[] {Shape.of(-1, 3), Shape.of(-1, 4)}));
    assertTrue(e.getMessage().startsWith("AddV2 op '"), e.getMessage());
    assertTrue(e.getMessage().contains("Dimensions must be equal, but are 3 and 4"), e.getMessage());
    assertTrue(e.getMessage().contains("[?,3], [?,4]"), e.getMessage());
    try (OpRunner mul = OpRunner.op(a, "Mul")) {
      InvalidArgumentException r = assertThrows(InvalidArgumentException.class,
          () -> ElementwiseBinary.outputShape(mul, Shape.of(2, 3), Shape.of(5, 3)));
      assertTrue(r.getMessage().startsWith("Mul op '"), r.getMessage());
      assertTrue(r.getMessage().contains("Incompatible shapes: [2,3] vs. [5,3]"), r.getMessage());
    }
  }
}
