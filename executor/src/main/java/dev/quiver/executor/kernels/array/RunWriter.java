package dev.quiver.executor.kernels.array;

import dev.quiver.store.Tensor;

/**
 * Receives an output tensor's elements in row-major order as runs: contiguous ranges of a source tensor's
 * elements, or runs of the fill value (a pad constant). Writers merge runs that continue each other, so a
 * producer may emit small runs and still get large copies. Not thread-safe: one writer per thread.
 */
public interface RunWriter {
  /** Appends {@code count} elements of {@code src} starting at flat element {@code start}. */
  void copy(Tensor src, long start, long count);

  /** Appends {@code count} copies of the fill value. */
  void fill(long count);
}
