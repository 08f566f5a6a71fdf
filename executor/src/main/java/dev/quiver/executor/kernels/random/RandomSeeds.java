package dev.quiver.executor.kernels.random;

/**
 * How a graph-level and an op-level seed become a random op's {@code seed} and {@code seed2} attributes,
 * following {@code random_seed.get_seed} of {@code tf.compat.v1} (observed in TensorFlow 2.21):
 * <ul>
 *   <li>graph seed and op seed: (graph seed, op seed);
 *   <li>graph seed only: (graph seed, n) where n counts the ops of that graph that derived a seed before
 *       (0, 1, 2, ...), so a program gives the same values on every run and adding seeded or non-random ops
 *       does not shift the others;
 *   <li>op seed only: (TensorFlow's default graph seed, op seed);
 *   <li>neither: (0, 0), fresh randomness each time the program runs.
 * </ul>
 * Seeds are reduced modulo 2^31 - 1 to non-negative values, and (0, 0) that comes from given seeds is mapped
 * to (0, 2^31 - 1) so it stays deterministic. Pure functions; thread-safe.
 */
public final class RandomSeeds {
  /** TensorFlow's {@code DEFAULT_GRAPH_SEED}. */
  public static final long DEFAULT_GRAPH_SEED = 87654321L;

  private static final long MAX_INT32 = Integer.MAX_VALUE;

  private RandomSeeds() {}

  /**
   * @param graphSeed the graph-level seed, or null if none was set
   * @param opSeed the op-level seed, or null
   * @param derived the op seed to use when only the graph seed is set: the number of ops of the graph that
   *     derived theirs before (TF's per-graph counter)
   * @return {seed, seed2}
   */
  public static long[] resolve(Long graphSeed, Long opSeed, long derived) {
    long seed;
    long seed2;
    if (graphSeed != null) {
      seed = truncate(graphSeed);
      seed2 = truncate(opSeed != null ? opSeed : derived);
    } else if (opSeed != null) {
      seed = DEFAULT_GRAPH_SEED;
      seed2 = truncate(opSeed);
    } else {
      return new long[] {0, 0};
    }
    if (seed == 0 && seed2 == 0) {
      seed2 = MAX_INT32;
    }
    return new long[] {seed, seed2};
  }

  /** True if an op with these seeds takes a derived op seed, i.e. advances its graph's counter. */
  public static boolean derivesOpSeed(Long graphSeed, Long opSeed) {
    return graphSeed != null && opSeed == null;
  }

  /** TF's {@code _truncate_seed}: Python's {@code seed % (2**31 - 1)}, never negative. */
  static long truncate(long seed) {
    return Math.floorMod(seed, MAX_INT32);
  }
}
