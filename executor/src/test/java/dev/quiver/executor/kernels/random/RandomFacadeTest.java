package dev.quiver.executor.kernels.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.executor.Graph;
import dev.quiver.executor.Operation;
import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.executor.Result;
import dev.quiver.executor.Session;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code tf.random.uniform/normal/truncated_normal} with bounds, mean and stddev. Graphs and values are those
 * TensorFlow 2.21 builds and computes for {@code tf.compat.v1.random.*} in a fresh graph without a graph seed
 * (op seed 7 gives seed=87654321, seed2=7), run once in a {@code tf.compat.v1.Session}.
 */
@ExtendWith(LeakCheckedAllocator.class)
class RandomFacadeTest {
  /** Runs {@code out} once in a new session and reads its value. */
  private static <T> T runOnce(Graph g, Output out, Function<Tensor, T> read) {
    try (Session s = new Session(g); Result r = s.run(out)) {
      return read.apply(r.tensor());
    }
  }

  private static List<String> nodes(Graph g) {
    return g.operations().stream().map(op -> op.name() + ":" + op.type()).toList();
  }

  @Test
  void uniformWithFloatBoundsScalesAndShiftsAsTensorFlowBuildsIt(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Output u = Ops.create(g).random.uniform(Shape.of(2, 3), 1.0, 3.0, DType.FLOAT32, 7L);
      assertEquals(List.of("random_uniform/shape:Const", "random_uniform/min:Const", "random_uniform/max:Const",
          "random_uniform/RandomUniform:RandomUniform", "random_uniform/sub:Sub", "random_uniform/mul:Mul",
          "random_uniform:AddV2"), nodes(g));
      Operation raw = g.operation("random_uniform/RandomUniform");
      assertEquals(RandomSeeds.DEFAULT_GRAPH_SEED, raw.attrs().getLong("seed"));
      assertEquals(7L, raw.attrs().getLong("seed2"));
      assertEquals(Shape.of(2, 3), u.shape());
      // tf.compat.v1.random.uniform([2, 3], minval=1., maxval=3., seed=7)
      assertArrayEquals(new float[] {1.9678819179534912f, 2.01240611076355f, 1.5102875232696533f,
          1.2494845390319824f, 2.8660202026367188f, 2.329218626022339f}, runOnce(g, u, Tensor::toFloatArray));
    }
  }

  @Test
  void uniformWithIntegerBoundsZeroToMaxOnlyMultiplies(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Output u = Ops.create(g).random.uniform(Shape.of(4), 0L, 5L, DType.FLOAT32, 7L);
      // TF 2.21 names the Mul random_uniform/Mul; Quiver gives the op it returns the scope's name
      assertEquals(List.of("random_uniform/shape:Const", "random_uniform/min:Const", "random_uniform/max:Const",
          "random_uniform/RandomUniform:RandomUniform", "random_uniform:Mul"), nodes(g));
      // tf.compat.v1.random.uniform([4], maxval=5, seed=7)
      assertArrayEquals(new float[] {2.4197049140930176f, 2.531015396118164f, 1.2757188081741333f,
          0.623711347579956f}, runOnce(g, u, Tensor::toFloatArray));
    }
  }

  @Test
  void uniformWithDefaultBoundsIsTheRawOpAlone(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output u = tf.random.uniform(Shape.of(2), DType.FLOAT64, null);
      // TF 2.21 names the raw op random_uniform/RandomUniform; Quiver gives the op it returns the scope's name
      assertEquals(List.of("random_uniform/shape:Const", "random_uniform:RandomUniform"), nodes(g));
      assertEquals(0L, u.op().attrs().getLong("seed"), "no seeds: fresh randomness per program run");
      assertEquals(0L, u.op().attrs().getLong("seed2"));
    }
  }

  @Test
  void uniformOfFloat64ComputesInFloat64(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Output u = Ops.create(g).random.uniform(Shape.of(3), -1.0, 1.0, DType.FLOAT64, 3L);
      // tf.compat.v1.random.uniform([3], minval=-1., maxval=1., dtype=tf.float64, seed=3)
      assertArrayEquals(new double[] {-0.8091295906900382, 0.630074035698609, -0.9391794303115386},
          runOnce(g, u, Tensor::toDoubleArray));
    }
  }

  @Test
  void integerUniformIsOneRandomUniformIntOpWithTensorFlowsValues(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output i32 = tf.random.uniform(Shape.of(2, 3), 1, 10, DType.INT32, 7L);
      Output i64 = tf.random.uniform(Shape.of(2, 3), 0, 10, DType.INT64, 7L);
      assertEquals(List.of("random_uniform/shape:Const", "random_uniform/min:Const", "random_uniform/max:Const",
          "random_uniform:RandomUniformInt", "random_uniform_1/shape:Const", "random_uniform_1/min:Const",
          "random_uniform_1/max:Const", "random_uniform_1:RandomUniformInt"), nodes(g));
      assertEquals(DType.INT32, i32.dtype());
      assertEquals(DType.INT64, i64.dtype());
      // tf.compat.v1.random.uniform([2, 3], minval=1, maxval=10, dtype=tf.int32, seed=7) and
      // tf.compat.v1.random.uniform([2, 3], maxval=10, dtype=tf.int64, seed=7)
      assertArrayEquals(new int[] {4, 2, 8, 5, 2, 3}, runOnce(g, i32, Tensor::toIntArray));
      assertArrayEquals(new long[] {9, 9, 8, 4, 6, 2}, runOnce(g, i64, Tensor::toLongArray));
    }
  }

  @Test
  void normalScalesByStddevAndShiftsByMean(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Output n = Ops.create(g).random.normal(Shape.of(2, 3), 1.0, 2.0, DType.FLOAT32, 7L);
      assertEquals(List.of("random_normal/shape:Const", "random_normal/mean:Const", "random_normal/stddev:Const",
          "random_normal/RandomStandardNormal:RandomStandardNormal", "random_normal/mul:Mul",
          "random_normal:AddV2"), nodes(g));
      // tf.compat.v1.random.normal([2, 3], mean=1., stddev=2., seed=7); Box-Muller may differ in the last bits
      assertArrayEquals(new float[] {0.9061086177825928f, -1.4078047275543213f, 3.3336703777313232f,
            3.341240882873535f, 0.35985952615737915f, 0.6192977428436279f}, runOnce(g, n, Tensor::toFloatArray),
          1e-5f);
    }
  }

  @Test
  void truncatedNormalScalesByStddevAndShiftsByMean(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Output n = Ops.create(g).random.truncatedNormal(Shape.of(2, 3), 1.0, 2.0, DType.FLOAT32, 7L);
      assertEquals(List.of("truncated_normal/shape:Const", "truncated_normal/mean:Const",
          "truncated_normal/stddev:Const", "truncated_normal/TruncatedNormal:TruncatedNormal",
          "truncated_normal/mul:Mul", "truncated_normal:AddV2"), nodes(g));
      // tf.compat.v1.random.truncated_normal([2, 3], mean=1., stddev=2., seed=7): the second group redraws
      assertArrayEquals(new float[] {0.9061086177825928f, -1.4078047275543213f, 3.3336703777313232f,
            3.341240882873535f, 2.4332523345947266f, 2.1422669887542725f}, runOnce(g, n, Tensor::toFloatArray),
          1e-5f);
    }
  }

  @Test
  void aNamedRandomOpNamesItsScopeAndStaysUnique(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output first = tf.withName("noise").random.normal(Shape.of(2), DType.FLOAT32, 1L);
      Output second = tf.withName("noise").random.normal(Shape.of(2), DType.FLOAT32, 1L);
      Output nested = tf.withSubScope("layer").random.uniform(Shape.of(2), 0.5, 1.0, DType.FLOAT32, 1L);
      assertEquals("noise", first.op().name());
      assertEquals("noise_1", second.op().name());
      assertEquals("layer/random_uniform", nested.op().name());
      assertTrue(g.operation("noise_1/RandomStandardNormal") != null);
      assertTrue(g.operation("layer/random_uniform/min") != null);
    }
  }

  @Test
  void theSameOpSeedGivesTheSameValuesInAnotherProgram(BufferAllocator a) {
    Function<Graph, Output> build = g -> Ops.create(g).random.uniform(Shape.of(8), 0, 1000, DType.INT64, 42L);
    try (Graph g1 = new Graph(a); Graph g2 = new Graph(a)) {
      Ops.create(g2).constant(1.0f); // an unrelated op first does not change an op-seeded stream
      assertArrayEquals(runOnce(g1, build.apply(g1), Tensor::toLongArray),
          runOnce(g2, build.apply(g2), Tensor::toLongArray));
    }
  }

  private static List<String> seeds(Graph g) {
    return g.operations().stream().filter(op -> op.attrs().has("seed2"))
        .map(op -> op.name() + ":" + op.attrs().getLong("seed") + "," + op.attrs().getLong("seed2")).toList();
  }

  @Test
  void aGraphSeedAloneDerivesOpSeedsFromACounterOfSuchOps(BufferAllocator a) {
    // TF 2.21 tf.compat.v1: set_random_seed(2**40 + 5); uniform([2]); uniform([2], seed=2**35); constant(1);
    // normal([2]); shuffle([1, 2]); uniform([2], seed=0) -> seeds (517, 0), (517, 16), (517, 1), (517, 2),
    // (517, 0): only ops without an op seed advance the counter, other ops do not shift it.
    try (Graph g = new Graph(a)) {
      g.setRandomSeed((1L << 40) + 5);
      Ops tf = Ops.create(g);
      tf.random.uniform(Shape.of(2), DType.FLOAT32, null);
      tf.random.uniform(Shape.of(2), DType.FLOAT32, 1L << 35);
      tf.constant(1);
      tf.random.normal(Shape.of(2), DType.FLOAT32, null);
      tf.random.shuffle(tf.constant(new int[] {1, 2}), null);
      tf.random.uniform(Shape.of(2), DType.FLOAT32, 0L);
      assertEquals(List.of("random_uniform:517,0", "random_uniform_1:517,16",
          "random_normal/RandomStandardNormal:517,1", "RandomShuffle:517,2", "random_uniform_2:517,0"), seeds(g));
    }
  }

  @Test
  void aGraphSeedMakesEveryRandomOpRepeatTensorFlowsValues(BufferAllocator a) {
    // TF 2.21 tf.compat.v1: set_random_seed(1234); a = uniform([4]); b = uniform([4], seed=5);
    // c = uniform([3], maxval=100, dtype=int32), run once in a Session
    Function<Graph, List<Output>> build = g -> {
      g.setRandomSeed(1234);
      Ops tf = Ops.create(g);
      return List.of(tf.random.uniform(Shape.of(4), DType.FLOAT32, null),
          tf.random.uniform(Shape.of(4), DType.FLOAT32, 5L), tf.random.uniform(Shape.of(3), 0, 100, DType.INT32, null));
    };
    for (int program = 0; program < 2; program++) {
      try (Graph g = new Graph(a)) {
        if (program == 1) {
          Ops.create(g).array.zeros(Shape.of(3), DType.FLOAT32); // other ops first change nothing
        }
        List<Output> out = build.apply(g);
        assertArrayEquals(new float[] {0.13047122955322266f, 0.9760946035385132f, 0.012220263481140137f,
            0.5802934169769287f}, runOnce(g, out.get(0), Tensor::toFloatArray), "program " + program);
        assertArrayEquals(new float[] {0.5191683769226074f, 0.2586510181427002f, 0.30959463119506836f,
            0.16933536529541016f}, runOnce(g, out.get(1), Tensor::toFloatArray), "program " + program);
        assertArrayEquals(new int[] {56, 45, 83}, runOnce(g, out.get(2), Tensor::toIntArray), "program " + program);
      }
    }
  }

  @Test
  void withoutAnySeedEachProgramDrawsFreshValues(BufferAllocator a) {
    try (Graph g1 = new Graph(a); Graph g2 = new Graph(a)) {
      Output x = Ops.create(g1).random.uniform(Shape.of(16), DType.FLOAT64, null);
      Output y = Ops.create(g2).random.uniform(Shape.of(16), DType.FLOAT64, null);
      assertEquals(List.of("random_uniform:0,0"), seeds(g1));
      assertFalse(java.util.Arrays.equals(runOnce(g1, x, Tensor::toDoubleArray),
          runOnce(g2, y, Tensor::toDoubleArray)));
    }
  }

  @Test
  void badDTypesAndBoundsFailBeforeAnythingIsAdded(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      // TF 2.21: ValueError "Must specify maxval for integer dtype tf.int32"
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> tf.random.uniform(Shape.of(2), DType.INT32, null));
      assertTrue(e.getMessage().contains("Must specify maxval for integer dtype"), e.getMessage());
      // TF 2.21: TypeError "Expected int32, but got 0.0 of type 'float'."
      e = assertThrows(IllegalArgumentException.class,
          () -> tf.random.uniform(Shape.of(2), 0.0, 5.0, DType.INT32, null));
      assertTrue(e.getMessage().contains("but got 0.0 of type 'float'"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> tf.random.normal(Shape.of(2), DType.INT64, null));
      assertTrue(e.getMessage().contains("of type 'float'"), e.getMessage());
      // TF 2.21: ValueError "Argument `dtype` got invalid value <dtype: 'bool'>"
      e = assertThrows(IllegalArgumentException.class, () -> tf.random.uniform(Shape.of(2), 0, 5, DType.BOOL, null));
      assertTrue(e.getMessage().contains("Argument `dtype` got invalid value"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> tf.random.uniform(Shape.of(-1), DType.FLOAT32, null));
      assertEquals(0, g.size(), "nothing was added");
    }
  }
}
