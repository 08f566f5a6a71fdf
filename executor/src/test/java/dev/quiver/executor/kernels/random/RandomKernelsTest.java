package dev.quiver.executor.kernels.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.kernels.OpRunner;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The random ops. Exact values below were observed from TensorFlow 2.21's CPU kernels
 * ({@code tf.raw_ops.RandomUniform(shape=[6], dtype=tf.float32, seed=1, seed2=2)} called twice in a fresh
 * process, etc.): our Philox stream and conversions reproduce them.
 */
@ExtendWith(LeakCheckedAllocator.class)
class RandomKernelsTest {
  private static OpRunner random(BufferAllocator a, String type, DType dtype, long seed, long seed2, int... shape) {
    return OpRunner.op(a, type).input(Tensor.of(a, shape)).attr("dtype", dtype).attr("seed", seed)
        .attr("seed2", seed2);
  }

  @Test
  void uniformFloatsEqualTensorFlowsForTheSameSeeds(BufferAllocator a) {
    try (OpRunner r = random(a, "RandomUniform", DType.FLOAT32, 1, 2, 6)) {
      assertArrayEquals(new float[] {0.406396746635437f, 0.8575996160507202f, 0.05539584159851074f,
          0.08587229251861572f, 0.41215360164642334f, 0.036630868911743164f}, r.run().toFloatArray());
      try (OpRunner second = r.again()) {
        assertArrayEquals(new float[] {0.49945497512817383f, 0.06284701824188232f, 0.4600658416748047f,
            0.20280075073242188f, 0.0886303186416626f, 0.9726002216339111f}, second.run().toFloatArray(),
            "a second run of the same op advances the stream as TensorFlow's does");
      }
    }
  }

  @Test
  void uniformDoublesEqualTensorFlowsForTheSameSeeds(BufferAllocator a) {
    try (OpRunner r = random(a, "RandomUniform", DType.FLOAT64, 7, 0, 3)) {
      assertArrayEquals(new double[] {0.029828786995145684, 0.6704731804445889, 0.9098165467110035},
          r.run().toDoubleArray());
    }
  }

  @Test
  void normalsMatchTensorFlowsUpToRounding(BufferAllocator a) {
    try (OpRunner r = random(a, "RandomStandardNormal", DType.FLOAT32, 5, 9, 4)) {
      assertArrayEquals(new float[] {0.5352789759635925f, 0.13203659653663635f, -1.879108190536499f,
          0.10361495614051819f}, r.run().toFloatArray(), 1e-5f);
    }
  }

  @Test
  void normalDoublesMatchTensorFlowsUpToRounding(BufferAllocator a) {
    // TF 2.21: RandomStandardNormal(shape=[5], dtype=float64, seed=5, seed2=9), fresh graph, first run
    try (OpRunner r = random(a, "RandomStandardNormal", DType.FLOAT64, 5, 9, 5)) {
      assertArrayEquals(new double[] {0.4001297752992255, -0.3372024138800406, 0.5384131589843909,
          0.8802963977461153, -1.210390543013718}, r.run().toDoubleArray(), 1e-12);
    }
  }

  @Test
  void truncatedNormalFloatsMatchTensorFlowsUpToRounding(BufferAllocator a) {
    // TF 2.21: TruncatedNormal(shape=[10], dtype=float32, seed=5, seed2=9); the third group redraws
    try (OpRunner r = random(a, "TruncatedNormal", DType.FLOAT32, 5, 9, 10)) {
      assertArrayEquals(new float[] {0.5352789759635925f, 0.13203659653663635f, -1.879108190536499f,
          0.10361495614051819f, 0.2581433355808258f, 0.34821030497550964f, 0.8635470867156982f, 0.7035922408103943f,
          0.562908947467804f, -0.9588251709938049f}, r.run().toFloatArray(), 1e-5f);
    }
  }

  @Test
  void truncatedNormalDoublesMatchTensorFlowsUpToRounding(BufferAllocator a) {
    // TF 2.21: TruncatedNormal(shape=[7], dtype=float64, seed=5, seed2=9): a float64 group of 2 starts 128
    // Philox blocks after the previous one (TF reserves 256 samples per output, 4 per block)
    try (OpRunner r = random(a, "TruncatedNormal", DType.FLOAT64, 5, 9, 7)) {
      assertArrayEquals(new double[] {0.4001297752992255, -0.3372024138800406, 0.789702050261416,
          -1.1384053341279772, 1.1319546238684448, 0.4815540598146408, 1.851415306987648}, r.run().toDoubleArray(),
          1e-12);
    }
  }

  @Test
  void theSameSeedsGiveTheSameValuesInAFreshOp(BufferAllocator a) {
    try (OpRunner r1 = random(a, "RandomStandardNormal", DType.FLOAT64, 3, 4, 5, 7);
         OpRunner r2 = random(a, "RandomStandardNormal", DType.FLOAT64, 3, 4, 5, 7);
         OpRunner other = random(a, "RandomStandardNormal", DType.FLOAT64, 3, 5, 5, 7)) {
      double[] v = r1.run().toDoubleArray();
      assertArrayEquals(v, r2.run().toDoubleArray());
      assertFalse(Arrays.equals(v, other.run().toDoubleArray()));
    }
  }

  @Test
  void zeroSeedsAreNondeterministic(BufferAllocator a) {
    try (OpRunner r1 = random(a, "RandomUniform", DType.FLOAT32, 0, 0, 16);
         OpRunner r2 = random(a, "RandomUniform", DType.FLOAT32, 0, 0, 16)) {
      assertFalse(Arrays.equals(r1.run().toFloatArray(), r2.run().toFloatArray()));
    }
  }

  @Test
  void uniformHasTheMomentsOfUniformZeroOne(BufferAllocator a) {
    try (OpRunner r = random(a, "RandomUniform", DType.FLOAT32, 11, 12, 200_000)) {
      double[] m = moments(r.run());
      assertEquals(0.5, m[0], 0.005);
      assertEquals(1.0 / 12, m[1], 0.002);
      assertTrue(m[2] >= 0 && m[3] < 1, "range [" + m[2] + ", " + m[3] + ")");
    }
  }

  @Test
  void normalHasMeanZeroAndUnitVariance(BufferAllocator a) {
    try (OpRunner r = random(a, "RandomStandardNormal", DType.FLOAT64, 13, 14, 200_000)) {
      double[] m = moments(r.run());
      assertEquals(0, m[0], 0.01);
      assertEquals(1, m[1], 0.01);
    }
  }

  @Test
  void truncatedNormalStaysWithinTwoStandardDeviations(BufferAllocator a) {
    try (OpRunner r = random(a, "TruncatedNormal", DType.FLOAT32, 15, 16, 200_001)) {
      double[] m = moments(r.run());
      assertTrue(m[2] > -2 && m[3] < 2, "range [" + m[2] + ", " + m[3] + "]");
      assertEquals(0, m[0], 0.01);
      // The variance of a standard normal truncated to (-2, 2) is 0.7737.
      assertEquals(0.7737, m[1], 0.01);
    }
  }

  private static OpRunner shuffle(BufferAllocator a, Tensor value, long seed, long seed2) {
    return OpRunner.op(a, "RandomShuffle").input(value).attr("seed", seed).attr("seed2", seed2);
  }

  private static long[] range(int n) {
    long[] r = new long[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  @Test
  void shuffleGivesTensorFlowsPermutationAndAdvancesAsItDoes(BufferAllocator a) {
    // TF 2.21: tf.raw_ops.RandomShuffle(value=tf.constant(np.arange(n)), seed, seed2), one graph, Session.run
    // called once per row below
    try (OpRunner r = shuffle(a, Tensor.of(a, range(10), 10), 1, 2)) {
      assertArrayEquals(new long[] {9, 0, 8, 6, 1, 3, 7, 2, 4, 5}, r.run().toLongArray());
      try (OpRunner second = r.again()) {
        assertArrayEquals(new long[] {8, 7, 4, 3, 2, 1, 9, 5, 6, 0}, second.run().toLongArray());
      }
    }
    try (OpRunner r = shuffle(a, Tensor.of(a, range(7), 7), 5, 9); OpRunner second = r.again();
         OpRunner third = r.again()) {
      assertArrayEquals(new long[] {4, 2, 1, 6, 5, 0, 3}, r.run().toLongArray());
      assertArrayEquals(new long[] {0, 2, 3, 5, 6, 4, 1}, second.run().toLongArray());
      assertArrayEquals(new long[] {5, 0, 2, 3, 4, 1, 6}, third.run().toLongArray());
    }
  }

  @Test
  void shuffleOfAHundredRowsEqualsTensorFlows(BufferAllocator a) {
    // TF 2.21: RandomShuffle(value=np.arange(100), seed=123, seed2=456): 99 draws over 25 Philox blocks
    long[] expected = {61, 54, 96, 62, 4, 76, 50, 23, 72, 39, 30, 21, 8, 75, 7, 87, 1, 82, 68, 47, 0, 69, 26, 3, 59,
        28, 57, 99, 44, 93, 43, 10, 9, 73, 11, 22, 74, 77, 16, 63, 67, 13, 94, 66, 81, 42, 65, 46, 86, 55, 60, 53, 25,
        33, 20, 15, 52, 58, 91, 37, 85, 14, 12, 38, 24, 2, 89, 6, 95, 5, 64, 90, 88, 80, 31, 29, 36, 79, 56, 40, 51, 18,
        19, 27, 84, 35, 45, 92, 41, 97, 48, 83, 98, 17, 32, 78, 49, 70, 34, 71};
    try (OpRunner r = shuffle(a, Tensor.of(a, range(100), 100), 123, 456)) {
      assertArrayEquals(expected, r.run().toLongArray());
    }
  }

  @Test
  void shuffleMovesWholeRowsInTensorFlowsOrder(BufferAllocator a) {
    // TF 2.21: RandomShuffle(value=np.arange(20).reshape(10, 2), seed=1, seed2=2) gives rows 9, 0, 8, 6, 1, 3, 7,
    // 2, 4, 5: the permutation of the vector case with the same seeds
    try (OpRunner r = shuffle(a, Tensor.of(a, range(20), 10, 2), 1, 2)) {
      Tensor out = r.run();
      assertEquals(Shape.of(10, 2), out.shape());
      assertArrayEquals(new long[] {18, 19, 0, 1, 16, 17, 12, 13, 2, 3, 6, 7, 14, 15, 4, 5, 8, 9, 10, 11},
          out.toLongArray());
    }
  }

  @Test
  void shuffleOfStringsEqualsTensorFlows(BufferAllocator a) {
    // TF 2.21: RandomShuffle(value=["a", "b", "c", "d", "e", "f"], seed=7, seed2=0)
    try (OpRunner r = shuffle(a, Tensor.of(a, new String[] {"a", "b", "c", "d", "e", "f"}), 7, 0)) {
      assertArrayEquals(new String[] {"d", "b", "e", "f", "a", "c"}, r.run().toStringArray());
    }
  }

  @Test
  void shuffleOfOneRowOrNoElementsPassesTheInputThrough(BufferAllocator a) {
    try (Tensor one = Tensor.of(a, new long[] {4, 5, 6}, 1, 3); Tensor empty = Tensor.of(a, new long[0], 5, 0);
         OpRunner r1 = shuffle(a, one.share(), 1, 2); OpRunner r2 = shuffle(a, empty.share(), 1, 2)) {
      Tensor out1 = r1.run();
      Tensor out2 = r2.run();
      assertEquals(one.address(), out1.address(), "one row is forwarded, not copied");
      assertEquals(Shape.of(5, 0), out2.shape());
    }
  }

  private static OpRunner uniformInt(BufferAllocator a, Tensor lo, Tensor hi, int... shape) {
    return OpRunner.op(a, "RandomUniformInt").input(Tensor.of(a, shape)).input(lo).input(hi).attr("seed", 1L)
        .attr("seed2", 2L);
  }

  @Test
  void uniformInt32EqualsTensorFlowsForTheSameSeeds(BufferAllocator a) {
    // TF 2.21: tf.raw_ops.RandomUniformInt(shape=[7], minval=lo, maxval=hi, seed=1, seed2=2), each in a fresh
    // graph and run once in a tf.compat.v1.Session
    int[][] bounds = {{0, 10}, {-5, 3}, {Integer.MIN_VALUE, Integer.MAX_VALUE}, {100, 101}};
    int[][] expected = {{9, 5, 2, 9, 1, 6, 3}, {2, -2, 1, 0, -2, -3, -4},
        {1731462351, 216909267, -1090054346, -1978991139, 934592883, 1527033938, -1001119855},
        {100, 100, 100, 100, 100, 100, 100}};
    for (int i = 0; i < bounds.length; i++) {
      try (OpRunner r = uniformInt(a, Tensor.scalar(a, bounds[i][0]), Tensor.scalar(a, bounds[i][1]), 7)) {
        Tensor out = r.run();
        assertEquals(DType.INT32, out.dtype());
        assertArrayEquals(expected[i], out.toIntArray(), Arrays.toString(bounds[i]));
      }
    }
  }

  @Test
  void uniformInt64EqualsTensorFlowsForTheSameSeeds(BufferAllocator a) {
    // TF 2.21: as above with int64 bounds; two Philox words per value
    long[][] bounds = {{0, 10}, {-5, 3}, {Long.MIN_VALUE, Long.MAX_VALUE}};
    long[][] expected = {{9, 6, 7, 1, 3, 8, 6}, {2, 1, -2, -4, 0, 1, -3},
        {931618211843278031L, -8499702220021360842L, 6558560826674168179L, -8211402480058884207L,
            -2700638380560007595L, -99510390929669050L, -1855765277937451182L}};
    for (int i = 0; i < bounds.length; i++) {
      try (OpRunner r = uniformInt(a, Tensor.scalar(a, bounds[i][0]), Tensor.scalar(a, bounds[i][1]), 7)) {
        assertArrayEquals(expected[i], r.run().toLongArray(), Arrays.toString(bounds[i]));
      }
    }
  }

  @Test
  void uniformIntNeedsMinvalBelowMaxval(BufferAllocator a) {
    // TF 2.21: "Need minval < maxval, got 5 >= 5" (InvalidArgumentError)
    try (OpRunner r = uniformInt(a, Tensor.scalar(a, 5), Tensor.scalar(a, 5), 3)) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::run);
      assertTrue(e.getMessage().contains("Need minval < maxval, got 5 >= 5"), e.getMessage());
    }
  }

  @Test
  void uniformIntOfNoElementsIgnoresTheBounds(BufferAllocator a) {
    // TF 2.21: RandomUniformInt(shape=[0], minval=5, maxval=5) returns an empty int32 tensor
    try (OpRunner r = uniformInt(a, Tensor.scalar(a, 5), Tensor.scalar(a, 5), 0)) {
      assertEquals(Shape.of(0), r.run().shape());
    }
  }

  @Test
  void uniformIntBoundsMustBeScalars(BufferAllocator a) {
    // TF 2.21 kernel: "minval must be 0-D, got shape [1]"
    try (OpRunner r = uniformInt(a, Tensor.of(a, new int[] {5}), Tensor.scalar(a, 6), 3)) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::infer);
      assertTrue(e.getMessage().contains("minval must be 0-D"), e.getMessage());
    }
    try (OpRunner r = uniformInt(a, Tensor.scalar(a, 5), Tensor.of(a, new int[] {6}), 3)) {
      Exception e = assertThrows(InvalidArgumentException.class, () -> RandomKernels.uniformInt(r));
      assertTrue(e.getMessage().contains("maxval must be 0-D, got shape [1]"), e.getMessage());
    }
  }

  @Test
  void uniformIntAdvancesAcrossRunsAsTensorFlowsDoes(BufferAllocator a) {
    // TF 2.21: the second Session.run of the int32 [0, 10) op above gives [2, 0, 0, 7, 4, 4, 1]
    try (OpRunner r = uniformInt(a, Tensor.scalar(a, 0), Tensor.scalar(a, 10), 7)) {
      r.run();
      try (OpRunner second = r.again()) {
        assertArrayEquals(new int[] {2, 0, 0, 7, 4, 4, 1}, second.run().toIntArray());
      }
    }
  }

  @Test
  void seedsCombineAsTensorFlowsGetSeed() {
    // tf.compat.v1 random_seed.get_seed in TF 2.21
    assertArrayEquals(new long[] {0, 0}, RandomSeeds.resolve(null, null, 5));
    assertArrayEquals(new long[] {RandomSeeds.DEFAULT_GRAPH_SEED, 7}, RandomSeeds.resolve(null, 7L, 5));
    assertArrayEquals(new long[] {42, 5}, RandomSeeds.resolve(42L, null, 5));
    assertArrayEquals(new long[] {42, 7}, RandomSeeds.resolve(42L, 7L, 5));
    assertArrayEquals(new long[] {0, Integer.MAX_VALUE}, RandomSeeds.resolve(0L, 0L, 5));
    assertArrayEquals(new long[] {0, Integer.MAX_VALUE}, RandomSeeds.resolve(0L, null, 0));
  }

  @Test
  void seedsAreReducedModuloTwoToThe31MinusOne() {
    // TF 2.21: set_random_seed(2**40 + 5) and seed=2**35 give (517, 16); seed=-3 alone gives (87654321, 2147483644)
    assertArrayEquals(new long[] {517, 16}, RandomSeeds.resolve((1L << 40) + 5, 1L << 35, 0));
    assertArrayEquals(new long[] {RandomSeeds.DEFAULT_GRAPH_SEED, 2147483644L}, RandomSeeds.resolve(null, -3L, 0));
  }

  /** mean, variance, min, max */
  private static double[] moments(Tensor t) {
    double[] v = t.toDoubles();
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    double mean = sum / v.length;
    double ss = 0;
    for (double x : v) {
      ss += (x - mean) * (x - mean);
    }
    return new double[] {mean, ss / v.length, min, max};
  }
}
