package dev.quiver.executor.kernels.array;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * TensorFlow's StridedSlice semantics resolved against an input shape: the sparse spec (begin, end, strides
 * with begin/end/ellipsis/new_axis/shrink_axis masks) expanded to one (begin, stride, size) per input dim,
 * plus the final shape (new axes inserted, shrunk axes dropped).
 *
 * <p>Dims may be unknown (-1) at build time; the sizes that depend on them are then -1 as well.
 */
public final class StridedSliceSpec {
  /** Per input dim: the first index read and the step; {@code sizes[i]} elements are read. */
  public final long[] begin;
  public final long[] stride;
  public final long[] sizes;
  /** The output shape's dims (-1 where unknown). */
  public final long[] finalDims;

  private StridedSliceSpec(long[] begin, long[] stride, long[] sizes, long[] finalDims) {
    this.begin = begin;
    this.stride = stride;
    this.sizes = sizes;
    this.finalDims = finalDims;
  }

  /** Masks of the op, as its attributes give them. */
  public record Masks(long begin, long end, long ellipsis, long newAxis, long shrinkAxis) {}

  private static final int NEW_AXIS = -1;
  private static final int SHRINK_AXIS = -2;

  /**
   * Resolves a spec.
   *
   * @param dims the input dims (-1 for unknown)
   * @param err makes the error to throw, naming the op
   */
  public static StridedSliceSpec resolve(long[] dims, long[] begin, long[] end, long[] strides, Masks masks,
                                         Function<String, RuntimeException> err) {
    int n = begin.length;
    if (end.length != n || strides.length != n) {
      throw err.apply("expected begin, end, and strides to be 1D equal size tensors, but got sizes " + begin.length
          + ", " + end.length + ", and " + strides.length);
    }
    if (n > 32) {
      throw err.apply("slice specs of more than 32 dims are not supported, got " + n);
    }
    long ellipsis = masks.ellipsis();
    if (Long.bitCount(ellipsis & 0xFFFFFFFFL) > 1) {
      throw err.apply("Multiple ellipses in slice spec not allowed");
    }
    // Without an ellipsis the spec ends with an implicit one covering the remaining dims.
    boolean implicit = (ellipsis & ((1L << n) - 1)) == 0;
    int sparseDims = implicit ? n + 1 : n;
    long ellipsisMask = implicit ? 1L << n : ellipsis;
    int newAxisAfterEllipsis = 0;
    boolean afterEllipsis = false;
    for (int i = 0; i < sparseDims; i++) {
      if (afterEllipsis && bit(masks.newAxis(), i) && i < n) {
        newAxisAfterEllipsis++;
      }
      if (bit(ellipsisMask, i)) {
        afterEllipsis = true;
      }
    }
    int rank = dims.length;
    long[] dBegin = new long[rank];
    long[] dEnd = new long[rank];
    long[] dStride = new long[rank];
    boolean[] dBeginMask = new boolean[rank];
    boolean[] dEndMask = new boolean[rank];
    boolean[] dShrink = new boolean[rank];
    List<Integer> gather = new ArrayList<>();
    int full = 0;
    for (int i = 0; i < sparseDims; i++) {
      if (bit(ellipsisMask, i)) {
        int next = Math.min(rank - (sparseDims - i) + 1 + newAxisAfterEllipsis, rank);
        for (; full < next; full++) {
          dStride[full] = 1;
          dBeginMask[full] = true;
          dEndMask[full] = true;
          gather.add(full);
        }
      } else if (bit(masks.newAxis(), i)) {
        gather.add(NEW_AXIS);
      } else {
        if (full == rank) {
          throw err.apply(rank == 0 ? "Attempting to slice scalar input."
              : "Index out of range using input dim " + full + "; input has only " + rank + " dims");
        }
        dBegin[full] = begin[i];
        dEnd[full] = end[i];
        dStride[full] = strides[i];
        dBeginMask[full] = bit(masks.begin(), i);
        dEndMask[full] = bit(masks.end(), i);
        if (bit(masks.shrinkAxis(), i)) {
          dShrink[full] = true;
          gather.add(SHRINK_AXIS);
        } else {
          gather.add(full);
        }
        full++;
      }
    }
    long[] outBegin = new long[rank];
    long[] sizes = new long[rank];
    for (int i = 0; i < rank; i++) {
      long s = dStride[i];
      long d = dims[i];
      if (s == 0) {
        throw err.apply("strides[" + i + "] must be non-zero");
      }
      if (dShrink[i] && s <= 0) {
        throw err.apply("only stride 1 allowed on non-range indexing.");
      }
      if (d < 0) {
        sizes[i] = dShrink[i] ? 1 : -1;
        outBegin[i] = dBegin[i];
        continue;
      }
      long b;
      long e;
      if (dShrink[i]) {
        b = dBegin[i] < 0 ? d + dBegin[i] : dBegin[i];
        e = b + 1;
        if (b < 0 || b >= d) {
          throw err.apply("slice index " + b + " of dimension " + i + " out of bounds."); // TF: after counting from the end
        }
      } else {
        b = canonical(dBegin[i], 0, dBeginMask[i], s, d);
        e = canonical(dEnd[i], 1, dEndMask[i], s, d);
      }
      long len = e - b;
      long size;
      if (len == 0 || (len < 0) != (s < 0)) {
        size = 0;
      } else {
        size = len / s + (len % s != 0 ? 1 : 0);
      }
      outBegin[i] = b;
      sizes[i] = size;
    }
    long[] fin = new long[gather.size()];
    int f = 0;
    for (int g : gather) {
      if (g == NEW_AXIS) {
        fin[f++] = 1;
      } else if (g >= 0) {
        fin[f++] = sizes[g];
      }
    }
    return new StridedSliceSpec(outBegin, dStride, sizes, java.util.Arrays.copyOf(fin, f));
  }

  private static long canonical(long x, int c, boolean masked, long stride, long dim) {
    long lo = stride > 0 ? 0 : -1;
    long hi = stride > 0 ? dim : dim - 1;
    if (masked) {
      return stride > 0 ? (c == 0 ? lo : hi) : (c == 0 ? hi : lo);
    }
    long fwd = x < 0 ? dim + x : x;
    return fwd < lo ? lo : Math.min(fwd, hi);
  }

  private static boolean bit(long mask, int i) {
    return i < 63 && (mask & (1L << i)) != 0;
  }
}
