package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.ops.Kernel;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Tensor;

/**
 * ArgMax and ArgMin over one axis, as TF's CPU kernels (Eigen's arg reducers): the scan starts from index 0
 * holding the dtype's lowest finite value (ArgMin: highest) and moves to a later index only when its value
 * compares strictly greater (less). So ties keep the first index, NaNs are skipped (they never compare), an
 * all-NaN row gives 0, and so does a row of NaNs and -inf for ArgMax ({@code argmax([nan, -inf]) == 0},
 * {@code argmax([nan, 1]) == 1}, both checked against TF 2.21). Output int64 (or int32 by {@code output_type}).
 */
public final class ArgReduce {
  private ArgReduce() {}

  public static Kernel kernel(boolean max) {
    return ctx -> compute(ctx, max);
  }

  private static void compute(KernelContext ctx, boolean max) {
    Tensor x = ctx.input(0);
    String op = ctx.opType() + " op '" + ctx.opName() + "'";
    if (x.rank() == 0) {
      throw new InvalidArgumentException(op + ": the input must be at least 1-D");
    }
    long[] axes = Axes.values(ctx.input(1), x.rank(), op);
    if (axes.length != 1) {
      throw new InvalidArgumentException(op + ": dimension must be a scalar, got " + axes.length + " values");
    }
    int axis = (int) axes[0];
    long[] dims = x.shape().dims();
    if (dims[axis] == 0) {
      throw new InvalidArgumentException(op + ": Reduction axis " + axis + " is empty in shape " + x.shape());
    }
    DType outType = ctx.attrs().getDType("output_type");
    boolean[] mask = new boolean[dims.length];
    mask[axis] = true;
    Tensor out = ctx.allocateUninitializedOutput(0, outType, Axes.reducedShape(x.shape(), mask, false));
    long outer = 1;
    long inner = 1;
    for (int d = 0; d < axis; d++) {
      outer *= dims[d];
    }
    for (int d = axis + 1; d < dims.length; d++) {
      inner *= dims[d];
    }
    long r = dims[axis];
    DType t = x.dtype();
    int w = t.byteWidth();
    long px = x.address();
    long po = out.address();
    long finalInner = inner;
    ctx.intraOp().parallelFor(outer * inner, Math.max(1, ElementwiseBinary.MIN_CHUNK / r), (s, e) -> {
      for (long task = s; task < e; task++) {
        long o = task / finalInner;
        long c = task % finalInner;
        long base = px + (o * r * finalInner + c) * w;
        long stride = finalInner * w;
        long best = 0;
        if (t.isFloating()) {
          double bv = t == DType.FLOAT32 ? (max ? -Float.MAX_VALUE : Float.MAX_VALUE)
              : (max ? -Double.MAX_VALUE : Double.MAX_VALUE);
          for (long k = 0; k < r; k++) {
            double v = Elements.readDouble(t, base + k * stride);
            if (max ? v > bv : v < bv) {
              bv = v;
              best = k;
            }
          }
        } else {
          long bv = Elements.readLong(t, base);
          for (long k = 1; k < r; k++) {
            long v = Elements.readLong(t, base + k * stride);
            if (max ? v > bv : v < bv) {
              bv = v;
              best = k;
            }
          }
        }
        Elements.writeLong(outType, po + task * outType.byteWidth(), best);
      }
    });
  }

}
