package dev.quiver.executor;

import dev.quiver.executor.kernels.random.RandomSeeds;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code tf.random} namespace of the {@link Ops} facade: stateful random ops seeded as TensorFlow 1
 * seeds them ({@code seed}/{@code seed2} from the graph-level seed of {@link Graph#setRandomSeed} and the
 * op-level seed, see {@link RandomSeeds}). An op with either seed gives the same sequence on every run of the
 * program; each run of it in a session draws the next values.
 *
 * <p>Each function builds the graph {@code tf.compat.v1.random.*} builds (TensorFlow 2.21): a name scope
 * ({@code random_uniform}, {@code random_normal}, ...) holding the argument constants and the raw op, then
 * {@code Mul}/{@code AddV2} for the bounds, mean and standard deviation, the last op named as the scope. Where TF
 * returns an op inside the scope (the raw op of a uniform in [0, 1), the {@code Mul} of one from 0), that op takes
 * the scope's name instead, so the op returned always has the name asked for.
 * Overloads with {@code long} bounds behave as Python {@code int} arguments, those with {@code double} bounds
 * as Python {@code float}s. Bad arguments fail with IllegalArgumentException (TF's TypeError/ValueError)
 * before anything is added to the graph. Thread-safe as {@link Scope} is.
 */
public final class RandomOps {
  /**
   * Per graph, how many ops derived their op seed from the graph seed. Weakly keyed like TensorFlow's
   * {@code _graph_to_seed_dict}, so a closed and dropped graph takes its counter with it.
   */
  private static final Map<Graph, AtomicLong> DERIVED_SEEDS = Collections.synchronizedMap(new WeakHashMap<>());

  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public RandomOps(Scope scope) {
    this.scope = scope;
  }

  private static Shape checkShape(Shape shape) {
    if (!shape.isFullyDefined()) {
      throw new IllegalArgumentException("a random tensor needs a fully defined shape, got " + shape);
    }
    return shape;
  }

  private static void checkDType(DType dtype, boolean integerAllowed) {
    boolean ok = dtype.isFloating() || integerAllowed && (dtype == DType.INT32 || dtype == DType.INT64);
    if (!ok) {
      throw new IllegalArgumentException("Argument `dtype` got invalid value " + dtype + ". Accepted dtypes are "
          + (integerAllowed ? "(float32, float64, int32, int64)." : "(float32, float64)."));
    }
  }

  private static void requireFloating(DType dtype, double value) {
    if (!dtype.isFloating()) {
      throw new IllegalArgumentException("Expected " + dtype + ", but got " + value + " of type 'float'.");
    }
  }

  private static Output shapeOf(OpScope op, Shape shape) {
    return op.argument("shape").constant(shape.dims(), DType.INT32);
  }

  private static Output constant(OpScope op, String name, double value, DType dtype) {
    Scope s = op.argument(name);
    return switch (dtype) {
      case FLOAT32 -> s.constant((float) value, dtype);
      case FLOAT64 -> s.constant(value, dtype);
      case INT32 -> s.constant((int) value, dtype);
      default -> s.constant((long) value, dtype);
    };
  }

  private static Output constant(OpScope op, String name, long value, DType dtype) {
    if (dtype.isFloating()) {
      return constant(op, name, (double) value, dtype);
    }
    return op.argument(name).constant(dtype == DType.INT32 ? (Object) (int) value : (Object) value, dtype);
  }

  private static void checkBounds(long minval, long maxval, DType dtype) {
    if (dtype == DType.INT32 && (minval != (int) minval || maxval != (int) maxval)) {
      throw new IllegalArgumentException("bounds [" + minval + ", " + maxval + ") are out of range for int32");
    }
  }

  /** The raw op's attributes, seeded now (after the argument constants, as TF's get_seed runs after them). */
  private Attrs rawAttrs(DType dtype, Long seed) {
    long[] seeds = seeds(seed);
    return Attrs.of("dtype", dtype, "seed", seeds[0], "seed2", seeds[1]);
  }

  /** The raw op, a helper in {@code op}'s name scope under its type's name. */
  private Output raw(OpScope op, String type, DType dtype, Output shape, Long seed) {
    return op.helpers().addOp(type, type, rawAttrs(dtype, seed), shape).output(0);
  }

  /**
   * The (seed, seed2) pair of a new op from the graph's seed ({@link Graph#setRandomSeed}) and {@code opSeed}
   * (see {@link RandomSeeds}); an op that derives its op seed advances the graph's counter.
   */
  private long[] seeds(Long opSeed) {
    Graph graph = scope.graph();
    Long graphSeed = graph.randomSeed();
    long derived = RandomSeeds.derivesOpSeed(graphSeed, opSeed) ? nextDerivedSeed(graph) : 0;
    return RandomSeeds.resolve(graphSeed, opSeed, derived);
  }

  private static long nextDerivedSeed(Graph graph) {
    return DERIVED_SEEDS.computeIfAbsent(graph, g -> new AtomicLong()).getAndIncrement();
  }

  // ---------------------------------------------------------------------------------------------
  // Uniform

  /**
   * {@code tf.random.uniform(shape, dtype=dtype, seed=seed)}: floats in [0, 1), the raw RandomUniform op alone.
   * {@code seed} may be null.
   *
   * @throws IllegalArgumentException for an integer dtype ("Must specify maxval"), or another dtype
   */
  public Output uniform(Shape shape, DType dtype, Long seed) {
    checkDType(dtype, true);
    if (!dtype.isFloating()) {
      throw new IllegalArgumentException("Must specify maxval for integer dtype " + dtype);
    }
    return uniform(shape, 0L, 1L, dtype, seed);
  }

  /**
   * {@code tf.random.uniform(shape, minval, maxval, dtype, seed)} with Python {@code int} bounds: values in
   * {@code [minval, maxval)}. Integer dtypes build one RandomUniformInt op (TensorFlow's values for the same
   * seeds; run-time InvalidArgument if {@code minval >= maxval}); float dtypes build RandomUniform, scaled and
   * shifted only where the bounds are not 0 and 1.
   */
  public Output uniform(Shape shape, long minval, long maxval, DType dtype, Long seed) {
    checkShape(shape);
    checkDType(dtype, true);
    checkBounds(minval, maxval, dtype);
    OpScope op = scope.opScope("random_uniform");
    Output dims = shapeOf(op, shape);
    boolean unit = minval == 0 && maxval == 1;
    if (dtype.isFloating() && unit) {
      return op.output("RandomUniform", rawAttrs(dtype, seed), dims);
    }
    Output lo = constant(op, "min", minval, dtype);
    Output hi = constant(op, "max", maxval, dtype);
    if (!dtype.isFloating()) {
      long[] seeds = seeds(seed);
      return op.output("RandomUniformInt", Attrs.of("seed", seeds[0], "seed2", seeds[1]), dims, lo, hi);
    }
    Output rnd = raw(op, "RandomUniform", dtype, dims, seed);
    if (minval == 0) {
      return op.output("Mul", Attrs.empty(), rnd, hi);
    }
    return scaled(op, rnd, lo, hi);
  }

  /**
   * {@code tf.random.uniform(shape, minval, maxval, dtype, seed)} with Python {@code float} bounds: float values
   * {@code minval + u * (maxval - minval)} for u uniform in [0, 1), computed in {@code dtype}.
   *
   * @throws IllegalArgumentException for an integer dtype (TF's TypeError converting a float bound)
   */
  public Output uniform(Shape shape, double minval, double maxval, DType dtype, Long seed) {
    checkShape(shape);
    checkDType(dtype, true);
    requireFloating(dtype, minval);
    OpScope op = scope.opScope("random_uniform");
    Output dims = shapeOf(op, shape);
    Output lo = constant(op, "min", minval, dtype);
    Output hi = constant(op, "max", maxval, dtype);
    return scaled(op, raw(op, "RandomUniform", dtype, dims, seed), lo, hi);
  }

  private static Output scaled(OpScope op, Output rnd, Output lo, Output hi) {
    Output range = op.helpers().addOp("Sub", "sub", Attrs.empty(), hi, lo).output(0);
    Output mul = op.helpers().addOp("Mul", "mul", Attrs.empty(), rnd, range).output(0);
    return op.output("AddV2", Attrs.empty(), mul, lo);
  }

  // ---------------------------------------------------------------------------------------------
  // Normal

  /** {@code tf.random.normal(shape, dtype=dtype, seed=seed)}: standard normal values (mean 0, stddev 1). */
  public Output normal(Shape shape, DType dtype, Long seed) {
    return normal(shape, 0.0, 1.0, dtype, seed);
  }

  /**
   * {@code tf.random.normal(shape, mean, stddev, dtype, seed)}: {@code mean + stddev * n} for standard normal
   * {@code n}, computed in {@code dtype}.
   */
  public Output normal(Shape shape, double mean, double stddev, DType dtype, Long seed) {
    return gaussian("random_normal", "RandomStandardNormal", shape, mean, stddev, dtype, seed);
  }

  /** {@code tf.random.truncated_normal(shape, dtype=dtype, seed=seed)}: standard normals within (-2, 2). */
  public Output truncatedNormal(Shape shape, DType dtype, Long seed) {
    return truncatedNormal(shape, 0.0, 1.0, dtype, seed);
  }

  /**
   * {@code tf.random.truncated_normal(shape, mean, stddev, dtype, seed)}: {@code mean + stddev * n} for standard
   * normals {@code n} redrawn until within (-2, 2), i.e. within two standard deviations of the mean.
   */
  public Output truncatedNormal(Shape shape, double mean, double stddev, DType dtype, Long seed) {
    return gaussian("truncated_normal", "TruncatedNormal", shape, mean, stddev, dtype, seed);
  }

  private Output gaussian(String name, String type, Shape shape, double mean, double stddev, DType dtype,
                          Long seed) {
    checkShape(shape);
    requireFloating(dtype, mean);
    OpScope op = scope.opScope(name);
    Output dims = shapeOf(op, shape);
    Output m = constant(op, "mean", mean, dtype);
    Output s = constant(op, "stddev", stddev, dtype);
    Output rnd = raw(op, type, dtype, dims, seed);
    Output mul = op.helpers().addOp("Mul", "mul", Attrs.empty(), rnd, s).output(0);
    return op.output("AddV2", Attrs.empty(), mul, m);
  }

  // ---------------------------------------------------------------------------------------------
  // Shuffle

  /** {@code tf.random.shuffle(value, seed)}: the rows of {@code value} in a random order. */
  public Output shuffle(Output value, Long seed) {
    long[] seeds = seeds(seed);
    return scope.addOp("RandomShuffle", "RandomShuffle", Attrs.of("seed", seeds[0], "seed2", seeds[1]), value)
        .output(0);
  }
}
