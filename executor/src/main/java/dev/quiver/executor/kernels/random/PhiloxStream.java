package dev.quiver.executor.kernels.random;

import java.security.SecureRandom;

/**
 * The per-op generator state kept across runs of one session: a Philox key and the next free 128-bit
 * counter. Each run reserves a range of blocks up front (as TensorFlow's GuardedPhiloxRandom does), so
 * successive runs draw fresh numbers and concurrent runs never share blocks. Thread-safe.
 */
public final class PhiloxStream {
  private static final SecureRandom SEEDS = new SecureRandom();

  private final long key;
  private long counterLo;
  private long counterHi;

  /**
   * A stream for an op's {@code seed} and {@code seed2} attributes; both zero means "nondeterministic", as in
   * TensorFlow, and draws a random key and counter.
   */
  public PhiloxStream(long seed, long seed2) {
    if (seed == 0 && seed2 == 0) {
      seed = SEEDS.nextLong();
      seed2 = SEEDS.nextLong();
    }
    this.key = seed;
    this.counterHi = seed2;
  }

  public long key() {
    return key;
  }

  /** Reserves {@code blocks} blocks; returns the first one's counter as {lo, hi}. */
  public synchronized long[] reserve(long blocks) {
    long[] start = {counterLo, counterHi};
    long lo = counterLo + blocks;
    if (Long.compareUnsigned(lo, counterLo) < 0) {
      counterHi++;
    }
    counterLo = lo;
    return start;
  }
}
