package dev.quiver.executor.kernels.math;

import dev.quiver.executor.kernels.Memory;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.executor.ops.Kernel;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The kernel of every {@link UnaryOp}: one pass over the input's Arrow memory, split over the intra-op pool. */
public final class ElementwiseUnary {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private static final int MAX_VIEW_ELEMENTS = 1 << 24;

  private ElementwiseUnary() {}

  public static Kernel kernel(UnaryOp op) {
    return ctx -> compute(op, ctx);
  }

  static void compute(UnaryOp op, KernelContext ctx) {
    Tensor x = ctx.input(0);
    Tensor out = ctx.allocateUninitializedOutput(0, op.outputType(x.dtype()), x.shape());
    run(op, x, out, ctx.intraOp());
  }

  /** Computes {@code out = op(x)}; {@code out} has x's shape and the op's output dtype. */
  public static void run(UnaryOp op, Tensor x, Tensor out, IntraOpPool pool) {
    DType in = x.dtype();
    DType ot = out.dtype();
    long px = x.address();
    long po = out.address();
    int wi = in.byteWidth();
    int wo = ot.byteWidth();
    pool.parallelFor(x.numElements(), ElementwiseBinary.MIN_CHUNK, (start, end) -> {
      long s = start;
      if (in == DType.FLOAT32 && ot == DType.FLOAT32) {
        while (end - s >= F.length()) {
          int n = (int) Math.min(MAX_VIEW_ELEMENTS, end - s);
          n -= n % F.length();
          if (!vectorF32(op, Memory.view(px + s * 4, n * 4L), Memory.view(po + s * 4, n * 4L), n)) {
            break;
          }
          s += n;
        }
      }
      scalar(op, in, ot, px + s * wi, po + s * wo, end - s);
    });
  }

  private static void scalar(UnaryOp op, DType in, DType ot, long px, long po, long n) {
    int wi = in.byteWidth();
    int wo = ot.byteWidth();
    switch (op.kind()) {
      case PREDICATE:
        for (long k = 0; k < n; k++) {
          Memory.putByte(po + k, (byte) (op.test(Elements.readDouble(in, px + k * wi)) ? 1 : 0));
        }
        break;
      default:
        if (in == DType.FLOAT32) {
          for (long k = 0; k < n; k++) {
            Memory.putFloat(po + k * 4, (float) op.d(Memory.getFloat(px + k * 4)));
          }
        } else if (in == DType.FLOAT64) {
          for (long k = 0; k < n; k++) {
            Memory.putDouble(po + k * 8, op.d(Memory.getDouble(px + k * 8)));
          }
        } else {
          for (long k = 0; k < n; k++) {
            Elements.writeLong(ot, po + k * wo, op.l(Elements.readLong(in, px + k * wi)));
          }
        }
    }
  }

  /** Float32 vector loops of the hot ops, over a whole number of vectors; false if {@code op} has none. */
  private static boolean vectorF32(UnaryOp op, ByteBuffer x, ByteBuffer o, int n) {
    int step = F.length();
    switch (op) {
      case NEG:
        for (int i = 0; i < n; i += step) {
          FloatVector.fromByteBuffer(F, x, i * 4, LE).neg().intoByteBuffer(o, i * 4, LE);
        }
        return true;
      case ABS:
        for (int i = 0; i < n; i += step) {
          FloatVector.fromByteBuffer(F, x, i * 4, LE).abs().intoByteBuffer(o, i * 4, LE);
        }
        return true;
      case SQUARE:
        for (int i = 0; i < n; i += step) {
          FloatVector v = FloatVector.fromByteBuffer(F, x, i * 4, LE);
          v.mul(v).intoByteBuffer(o, i * 4, LE);
        }
        return true;
      case SQRT:
        for (int i = 0; i < n; i += step) {
          FloatVector.fromByteBuffer(F, x, i * 4, LE).sqrt().intoByteBuffer(o, i * 4, LE);
        }
        return true;
      case RELU:
        for (int i = 0; i < n; i += step) {
          FloatVector v = FloatVector.fromByteBuffer(F, x, i * 4, LE);
          v.blend(0f, v.lt(0f)).intoByteBuffer(o, i * 4, LE);
        }
        return true;
      case EXP:
        for (int i = 0; i < n; i += step) {
          FloatVector.fromByteBuffer(F, x, i * 4, LE).lanewise(VectorOperators.EXP).intoByteBuffer(o, i * 4, LE);
        }
        return true;
      case TANH:
        for (int i = 0; i < n; i += step) {
          FloatVector.fromByteBuffer(F, x, i * 4, LE).lanewise(VectorOperators.TANH).intoByteBuffer(o, i * 4, LE);
        }
        return true;
      case SIGMOID:
        for (int i = 0; i < n; i += step) {
          FloatVector v = FloatVector.fromByteBuffer(F, x, i * 4, LE);
          FloatVector.broadcast(F, 1f).div(v.neg().lanewise(VectorOperators.EXP).add(1f))
              .intoByteBuffer(o, i * 4, LE);
        }
        return true;
      default:
        return false;
    }
  }
}
