package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.ops.Kernel;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Tensor;

/**
 * TF's Softmax and LogSoftmax over the last axis, computed stably per row in double: shift by the row's
 * max, exponentiate, normalize ({@code tf.nn.softmax} on other axes transposes around these ops, as TF does).
 *
 * <p>A row holding NaN or +Inf has no softmax; the NaNs it gives follow TF 2.21's default x86 build. float64
 * and LogSoftmax (Eigen's kernels): the whole row is NaN. float32 Softmax (oneDNN's kernel): the row's max starts
 * from the lowest finite float and skips NaNs; if the sum of exponentials is NaN, elements whose shifted
 * exponential is NaN give NaN and the others 0 ({@code softmax([1, nan, 2]) == [0, nan, 0]}, {@code softmax([inf,
 * 1]) == [nan, 0]}, {@code softmax([-inf, -inf, nan]) == [0, 0, nan]}). TF built without oneDNN gives NaN rows.
 */
public final class Softmax {
  private Softmax() {}

  public static Kernel kernel(boolean log) {
    return ctx -> compute(ctx, log);
  }

  private static void compute(KernelContext ctx, boolean log) {
    Tensor x = ctx.input(0);
    if (x.rank() < 1) {
      throw new InvalidArgumentException(ctx.opType() + " op '" + ctx.opName() + "': logits must have >= 1 dimension, got "
          + x.shape());
    }
    Tensor out = ctx.allocateUninitializedOutput(0, x.dtype(), x.shape());
    long n = x.shape().dim(-1);
    if (x.numElements() == 0) {
      return;
    }
    long rows = x.numElements() / n;
    DType t = x.dtype();
    int w = t.byteWidth();
    long px = x.address();
    long po = out.address();
    ctx.intraOp().parallelFor(rows, Math.max(1, ElementwiseBinary.MIN_CHUNK / n), (s, e) -> {
      for (long row = s; row < e; row++) {
        long in = px + row * n * w;
        long o = po + row * n * w;
        boolean oneDnn = t == DType.FLOAT32 && !log;
        double max = oneDnn ? -Float.MAX_VALUE : Double.NEGATIVE_INFINITY;
        for (long k = 0; k < n; k++) {
          double v = Elements.readDouble(t, in + k * w);
          max = oneDnn ? (v > max ? v : max) : Reducer.MAX.d(max, v);
        }
        double sum = 0;
        for (long k = 0; k < n; k++) {
          double ex = Math.exp(Elements.readDouble(t, in + k * w) - max);
          sum += ex;
          if (!log) {
            Elements.writeDouble(t, o + k * w, ex);
          }
        }
        if (log) {
          double logSum = Math.log(sum);
          for (long k = 0; k < n; k++) {
            Elements.writeDouble(t, o + k * w, Elements.readDouble(t, in + k * w) - max - logSum);
          }
        } else if (oneDnn && Double.isNaN(sum)) {
          for (long k = 0; k < n; k++) {
            Elements.writeDouble(t, o + k * w, Double.isNaN(Elements.readDouble(t, o + k * w)) ? Double.NaN : 0);
          }
        } else {
          for (long k = 0; k < n; k++) {
            Elements.writeDouble(t, o + k * w, Elements.readDouble(t, o + k * w) / sum);
          }
        }
      }
    });
  }
}
