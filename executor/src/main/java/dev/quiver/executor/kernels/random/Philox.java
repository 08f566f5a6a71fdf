package dev.quiver.executor.kernels.random;

/**
 * The Philox4x32-10 counter-based generator (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11), seeded the way TensorFlow seeds it: the op's {@code seed} is the 64-bit key and {@code seed2}
 * the upper 64 bits of the 128-bit counter. Block {@code i} of a stream is a pure function of
 * (key, counter + i), so any block can be computed on any thread.
 */
public final class Philox {
  private static final long M0 = 0xD2511F53L;
  private static final long M1 = 0xCD9E8D57L;
  private static final int W0 = 0x9E3779B9;
  private static final int W1 = 0xBB67AE85;

  private Philox() {}

  /**
   * Writes the four 32-bit words of the block at counter {@code (counterHi:counterLo) + skip} into {@code out}.
   *
   * @param key the 64-bit key (the op's seed)
   * @param counterLo the low 64 bits of the stream's counter
   * @param counterHi the high 64 bits (the op's seed2, plus carries)
   */
  public static void block(long key, long counterLo, long counterHi, long skip, int[] out) {
    long lo = counterLo + skip;
    long hi = Long.compareUnsigned(lo, counterLo) < 0 ? counterHi + 1 : counterHi;
    int c0 = (int) lo;
    int c1 = (int) (lo >>> 32);
    int c2 = (int) hi;
    int c3 = (int) (hi >>> 32);
    int k0 = (int) key;
    int k1 = (int) (key >>> 32);
    for (int round = 0; round < 10; round++) {
      long p0 = M0 * (c0 & 0xFFFFFFFFL);
      long p1 = M1 * (c2 & 0xFFFFFFFFL);
      int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
      int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
      c1 = (int) p1;
      c3 = (int) p0;
      c0 = n0;
      c2 = n2;
      k0 += W0;
      k1 += W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
  }

  /** A float in [0, 1) from the low 23 bits of {@code x}, as TensorFlow converts (exponent trick). */
  public static float toFloat(int x) {
    return Float.intBitsToFloat(0x3F800000 | (x & 0x7FFFFF)) - 1.0f;
  }

  /** A double in [0, 1) from 52 bits of {@code hi:lo}, as TensorFlow converts. */
  public static double toDouble(int hi, int lo) {
    long man = ((long) (hi & 0xFFFFF) << 32) | (lo & 0xFFFFFFFFL);
    return Double.longBitsToDouble((1023L << 52) | man) - 1.0;
  }
}
