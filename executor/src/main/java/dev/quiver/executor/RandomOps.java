package dev.quiver.executor;

import dev.quiver.executor.kernels.random.RandomSeeds;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;

/**
 * The {@code tf.random} namespace of the {@link Ops} facade: stateful random ops seeded as TensorFlow 1
 * seeds them ({@code seed}/{@code seed2} from the graph-level and op-level seeds, see {@link RandomSeeds}).
 * An op with a seed gives the same sequence on every run of the program; each run of it in a session
 * draws the next values. Thread-safe as {@link Scope} is.
 */
public final class RandomOps {
  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public RandomOps(Scope scope) {
    this.scope = scope;
  }

  private Output random(String type, String name, Shape shape, DType dtype, Long seed) {
    if (!shape.isFullyDefined()) {
      throw new IllegalArgumentException("a random tensor needs a fully defined shape, got " + shape);
    }
    long[] seeds = seeds(seed);
    Output dims = scope.withName(base(name) + "/shape").constant(shape.dims(), DType.INT32);
    return scope.addOp(type, name, Attrs.of("dtype", dtype, "seed", seeds[0], "seed2", seeds[1], "T", DType.INT32),
        dims).output(0);
  }

  private String base(String name) {
    return scope.opName(name).substring(scope.namePrefix().length());
  }

  /**
   * The (seed, seed2) pair of a new op. The graph has no graph-level seed yet, so only op seeds count: an op
   * seed gives TensorFlow's default graph seed plus that op seed; none gives fresh randomness per program run.
   */
  private long[] seeds(Long opSeed) {
    return RandomSeeds.resolve(null, opSeed, scope.graph().size());
  }

  /** {@code tf.random.uniform(shape, dtype=dtype, seed=seed)}: values in [0, 1); {@code seed} may be null. */
  public Output uniform(Shape shape, DType dtype, Long seed) {
    return random("RandomUniform", "random_uniform", shape, dtype, seed);
  }

  /** {@code tf.random.normal(shape, dtype=dtype, seed=seed)}: standard normal values. */
  public Output normal(Shape shape, DType dtype, Long seed) {
    return random("RandomStandardNormal", "random_normal", shape, dtype, seed);
  }

  /** {@code tf.random.truncated_normal(shape, dtype=dtype, seed=seed)}: standard normals within (-2, 2). */
  public Output truncatedNormal(Shape shape, DType dtype, Long seed) {
    return random("TruncatedNormal", "truncated_normal", shape, dtype, seed);
  }

  /** {@code tf.random.shuffle(value, seed)}: the rows of {@code value} in a random order. */
  public Output shuffle(Output value, Long seed) {
    long[] seeds = seeds(seed);
    return scope.addOp("RandomShuffle", "RandomShuffle", Attrs.of("seed", seeds[0], "seed2", seeds[1]), value)
        .output(0);
  }
}
