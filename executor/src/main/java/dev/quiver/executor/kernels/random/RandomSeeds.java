package dev.quiver.executor.kernels.random;

/**
 * How a graph-level and an op-level seed become a random op's {@code seed} and {@code seed2} attributes,
 * following TensorFlow 1's {@code random_seed.get_seed}: with a graph seed, an op without its own seed uses
 * the graph's op count as op seed; an op seed without a graph seed uses TensorFlow's default graph seed;
 * neither gives (0, 0), i.e. fresh randomness each time the program runs. (0, 0) given explicitly is
 * mapped to (0, 2^31 - 1) so it stays deterministic.
 */
public final class RandomSeeds {
  /** TensorFlow's {@code DEFAULT_GRAPH_SEED}. */
  public static final long DEFAULT_GRAPH_SEED = 87654321L;

  private RandomSeeds() {}

  /**
   * @param graphSeed the graph-level seed, or null if none was set
   * @param opSeed the op-level seed, or null
   * @param opCount the number of ops in the graph when the op is created (TF's {@code graph._last_id})
   * @return {seed, seed2}
   */
  public static long[] resolve(Long graphSeed, Long opSeed, long opCount) {
    long seed;
    long seed2;
    if (graphSeed != null) {
      seed = graphSeed;
      seed2 = opSeed != null ? opSeed : opCount;
    } else if (opSeed != null) {
      seed = DEFAULT_GRAPH_SEED;
      seed2 = opSeed;
    } else {
      return new long[] {0, 0};
    }
    if (seed == 0 && seed2 == 0) {
      seed2 = Integer.MAX_VALUE;
    }
    return new long[] {seed, seed2};
  }
}
