package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.kernels.array.OpArgs;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;

/** Axis arguments of reductions: int32/int64 tensors of axes in {@code [-rank, rank)}, negative counting from the end. */
final class Axes {
  private Axes() {}

  /** The axes in {@code axes} (a scalar or vector) normalized to {@code [0, rank)}. */
  static long[] values(Tensor axes, int rank, String op) {
    if (axes.dtype() != DType.INT32 && axes.dtype() != DType.INT64) {
      throw new InvalidArgumentException(op + ": axes must be int32 or int64, not " + axes.dtype());
    }
    if (axes.rank() > 1) {
      throw new InvalidArgumentException(op + ": axes must be a scalar or a vector, not of shape " + axes.shape());
    }
    long n = axes.numElements();
    long[] r = new long[(int) n];
    for (int i = 0; i < n; i++) {
      long a = axes.dtype() == DType.INT32 ? axes.getInt(i) : axes.getLong(i);
      r[i] = OpArgs.axis(a, rank, () -> op + ": Invalid reduction dimension (" + a + " for input with " + rank
          + " dimension(s))", InvalidArgumentException::new);
    }
    return r;
  }

  static boolean[] mask(KernelContext ctx, Tensor axes, int rank) {
    boolean[] m = new boolean[rank];
    for (long a : values(axes, rank, ctx.opType() + " op '" + ctx.opName() + "'")) {
      m[(int) a] = true;
    }
    return m;
  }

  /** The shape left after reducing the masked dims (kept as 1 with {@code keepDims}); dims may be unknown. */
  static Shape reducedShape(Shape in, boolean[] reduced, boolean keepDims) {
    long[] dims = in.dims();
    int kept = 0;
    for (boolean r : reduced) {
      kept += r ? 0 : 1;
    }
    long[] out = new long[keepDims ? dims.length : kept];
    int j = 0;
    for (int d = 0; d < dims.length; d++) {
      if (!reduced[d]) {
        out[j++] = dims[d];
      } else if (keepDims) {
        out[j++] = 1;
      }
    }
    return Shape.of(out);
  }
}
