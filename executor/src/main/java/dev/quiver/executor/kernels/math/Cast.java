package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.kernels.Memory;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Tensor;

/**
 * TensorFlow's Cast between the numeric dtypes and bool, with TF's CPU semantics: floats to integers
 * truncate toward zero, and NaN or out-of-range values become the x86 "integer indefinite" (INT_MIN for
 * 32-bit conversions, narrowed with wrap-around for int8/int16/uint8; LONG_MIN for int64); integers narrow
 * with wrap-around; anything to bool is {@code x != 0} (NaN is true); bool is 0 or 1.
 */
public final class Cast {
  private Cast() {}

  public static void compute(KernelContext ctx) {
    Tensor x = ctx.input(0);
    DType to = ctx.attrs().getDType("DstT");
    if (!castable(x.dtype()) || !castable(to)) {
      throw new InvalidArgumentException(ctx.opType() + " op '" + ctx.opName() + "': cannot cast " + x.dtype()
          + " to " + to);
    }
    if (to == x.dtype()) {
      ctx.setOutput(0, x.share());
      return;
    }
    run(x, ctx.allocateUninitializedOutput(0, to, x.shape()), ctx.intraOp());
  }

  /** True for the dtypes Cast converts between (all but string). */
  public static boolean castable(DType t) {
    return t != DType.STRING;
  }

  /** Converts every element of {@code x} into {@code out}, which has x's shape. */
  public static void run(Tensor x, Tensor out, IntraOpPool pool) {
    DType from = x.dtype();
    DType to = out.dtype();
    long px = x.address();
    long po = out.address();
    int wi = from.byteWidth();
    int wo = to.byteWidth();
    pool.parallelFor(x.numElements(), ElementwiseBinary.MIN_CHUNK, (start, end) -> {
      if (to == DType.BOOL) {
        for (long k = start; k < end; k++) {
          boolean nz = from.isFloating() ? Elements.readDouble(from, px + k * wi) != 0
              : Elements.readLong(from, px + k * wi) != 0;
          Memory.putByte(po + k, (byte) (nz ? 1 : 0));
        }
      } else if (to.isFloating()) {
        for (long k = start; k < end; k++) {
          if (from.isFloating()) {
            Elements.writeDouble(to, po + k * wo, Elements.readDouble(from, px + k * wi));
          } else if (to == DType.FLOAT32) {
            Memory.putFloat(po + k * 4, (float) Elements.readLong(from, px + k * wi)); // one rounding, not two
          } else {
            Memory.putDouble(po + k * 8, (double) Elements.readLong(from, px + k * wi));
          }
        }
      } else if (from.isFloating()) {
        for (long k = start; k < end; k++) {
          double v = Elements.readDouble(from, px + k * wi);
          Elements.writeLong(to, po + k * wo, to == DType.INT64 ? truncate64(v) : truncate32(v));
        }
      } else {
        for (long k = start; k < end; k++) {
          Elements.writeLong(to, po + k * wo, Elements.readLong(from, px + k * wi));
        }
      }
    });
  }

  /** x86 {@code cvttsd2si} with a 32-bit destination. */
  static long truncate32(double v) {
    return v > -2147483649.0 && v < 2147483648.0 ? (long) v : Integer.MIN_VALUE;
  }

  /** x86 {@code cvttsd2si} with a 64-bit destination. */
  static long truncate64(double v) {
    return v >= -9.223372036854775808E18 && v < 9.223372036854775808E18 ? (long) v : Long.MIN_VALUE;
  }
}
