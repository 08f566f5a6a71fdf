package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.ops.Kernel;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Tensor;

/** Cumsum and Cumprod along one axis, with TF's {@code exclusive} and {@code reverse} attributes. */
public final class Cumulative {
  private Cumulative() {}

  public static Kernel kernel(Reducer red) {
    return ctx -> compute(ctx, red);
  }

  private static void compute(KernelContext ctx, Reducer red) {
    Tensor x = ctx.input(0);
    String op = ctx.opType() + " op '" + ctx.opName() + "'";
    if (ctx.input(1).rank() != 0) {
      throw new InvalidArgumentException(op + ": axis must be a scalar, not of shape " + ctx.input(1).shape());
    }
    if (x.rank() == 0) {
      throw new InvalidArgumentException(op + ": the input must be at least 1-D");
    }
    int axis = (int) Axes.values(ctx.input(1), x.rank(), op)[0];
    boolean exclusive = ctx.attrs().getBool("exclusive");
    boolean reverse = ctx.attrs().getBool("reverse");
    Tensor out = ctx.allocateUninitializedOutput(0, x.dtype(), x.shape());
    long[] dims = x.shape().dims();
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
    long fInner = inner;
    ctx.intraOp().parallelFor(outer * inner, Math.max(1, ElementwiseBinary.MIN_CHUNK / Math.max(1, r)), (s, e) -> {
      for (long task = s; task < e; task++) {
        long o = task / fInner;
        long c = task % fInner;
        long base = (o * r * fInner + c) * w;
        long stride = fInner * w;
        double accD = t.isFloating() ? red.identityD() : 0;
        long accL = red.identityL(t);
        for (long i = 0; i < r; i++) {
          long k = reverse ? r - 1 - i : i;
          long at = base + k * stride;
          if (t.isFloating()) {
            double v = Elements.readDouble(t, px + at);
            if (exclusive) {
              Elements.writeDouble(t, po + at, accD);
              accD = red.d(accD, v);
            } else {
              accD = red.d(accD, v);
              Elements.writeDouble(t, po + at, accD);
            }
          } else {
            long v = Elements.readLong(t, px + at);
            if (exclusive) {
              Elements.writeLong(t, po + at, accL);
              accL = red.l(accL, v);
            } else {
              accL = red.l(accL, v);
              Elements.writeLong(t, po + at, accL);
            }
          }
        }
      }
    });
  }
}
