package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.kernels.Broadcast;
import dev.quiver.executor.kernels.Memory;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.executor.ops.Kernel;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The kernel of every {@link BinaryOp}: numpy broadcasting over Arrow memory, split over the intra-op pool.
 * Float32/float64 runs of the hot ops go through {@link BinaryVectorLoops}; everything else through scalar
 * loops in the op's compute class. Inputs are read in place; the only memory written is the output.
 */
public final class ElementwiseBinary {
  /** Output elements below which a kernel stays on the calling thread. */
  static final long MIN_CHUNK = 1 << 15;
  /** Longest run handed to a vector loop at once (its buffer views are int-indexed). */
  private static final int MAX_VIEW_ELEMENTS = 1 << 24;

  private ElementwiseBinary() {}

  /** The kernel of {@code op}. */
  public static Kernel kernel(BinaryOp op) {
    return ctx -> compute(op, ctx);
  }

  static void compute(BinaryOp op, KernelContext ctx) {
    Tensor a = ctx.input(0);
    Tensor b = ctx.input(1);
    if (a.dtype() != b.dtype()) {
      throw new InvalidArgumentException(ctx.opType() + " op '" + ctx.opName() + "': inputs are " + a.dtype()
          + " and " + b.dtype() + "; both must have the same dtype");
    }
    Shape outShape = outputShape(ctx, a.shape(), b.shape());
    if (a.dtype() == DType.STRING) {
      ctx.setOutput(0, StringBinary.compute(op, a, b, outShape, ctx.allocator()));
      return;
    }
    Tensor out = ctx.allocateUninitializedOutput(0, op.outputType(a.dtype()), outShape);
    try {
      run(op, a, b, out, ctx.intraOp());
    } catch (ArithmeticException e) {
      throw new InvalidArgumentException(ctx.opType() + " op '" + ctx.opName() + "': " + message(e));
    }
  }

  /** The runtime broadcast of two shapes, as TF words a mismatch. */
  static Shape outputShape(KernelContext ctx, Shape a, Shape b) {
    try {
      return Broadcast.shapes(a, b);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException(ctx.opType() + " op '" + ctx.opName() + "': Incompatible shapes: "
          + Broadcast.tfShape(a) + " vs. " + Broadcast.tfShape(b));
    }
  }

  private static String message(ArithmeticException e) {
    String m = e.getMessage();
    return m != null && m.startsWith("Integers") ? m : "Integer division by zero";
  }

  /**
   * Computes {@code out = op(a, b)} with broadcasting; {@code out} has the broadcast shape and the op's output
   * dtype. Integer division by zero throws {@link ArithmeticException}.
   */
  public static void run(BinaryOp op, Tensor a, Tensor b, Tensor out, IntraOpPool pool) {
    long size = out.numElements();
    if (size == 0) {
      return;
    }
    DType in = a.dtype();
    DType ot = out.dtype();
    long aBase = a.address();
    long bBase = b.address();
    long oBase = out.address();
    int wi = in.byteWidth();
    int wo = ot.byteWidth();
    if (isFlat(a, out) && isFlat(b, out)) {
      // Equal shapes, or a scalar against a tensor: the whole output is one run, no plan to build.
      int sa = a.numElements() == 1 ? 0 : 1;
      int sb = b.numElements() == 1 ? 0 : 1;
      pool.parallelFor(size, MIN_CHUNK, (start, end) ->
          run(op, in, ot, aBase + start * sa * wi, sa, bBase + start * sb * wi, sb, oBase + start * wo, end - start,
              null));
      return;
    }
    Broadcast plan = Broadcast.plan(out.shape(), a.shape(), b.shape());
    int sa = plan.innerStride(0);
    int sb = plan.innerStride(1);
    pool.parallelFor(plan.size(), MIN_CHUNK, (start, end) -> {
      ByteBuffer rep = repeated();
      plan.forEachRun(start, end, (o, idx, len) ->
          run(op, in, ot, aBase + idx[0] * wi, sa, bBase + idx[1] * wi, sb, oBase + o * wo, len, rep));
    });
  }

  /** True if {@code t} is read as one flat run against {@code out}: the same shape, or a single element. */
  private static boolean isFlat(Tensor t, Tensor out) {
    return t.numElements() == 1 || t.shape().equals(out.shape());
  }

  /** One run of {@code len} output elements; {@code rep} is scratch for a repeated element (made if null). */
  private static void run(BinaryOp op, DType in, DType ot, long pa, int sa, long pb, int sb, long po, long len,
                          ByteBuffer rep) {
    if (in.isFloating() && op.kind() == BinaryOp.Kind.ARITHMETIC && len >= 16
        && vectorRun(op, in, pa, sa, pb, sb, po, len, rep != null || (sa != 0 && sb != 0) ? rep : repeated())) {
      return;
    }
    scalarRun(op, in, ot, pa, sa, pb, sb, po, len);
  }

  private static ByteBuffer repeated() {
    return ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static boolean vectorRun(BinaryOp op, DType t, long pa, int sa, long pb, int sb, long po, long len,
                                   ByteBuffer rep) {
    int w = t.byteWidth();
    boolean f32 = t == DType.FLOAT32;
    if (sa == 0) {
      fill(rep, f32, pa);
    } else if (sb == 0) {
      fill(rep, f32, pb);
    }
    for (long done = 0; done < len; done += MAX_VIEW_ELEMENTS) {
      int n = (int) Math.min(MAX_VIEW_ELEMENTS, len - done);
      ByteBuffer va = sa == 0 ? rep : Memory.view(pa + done * w, (long) n * w);
      ByteBuffer vb = sb == 0 ? rep : Memory.view(pb + done * w, (long) n * w);
      ByteBuffer vo = Memory.view(po + done * w, (long) n * w);
      boolean ok = f32 ? BinaryVectorLoops.f32(op, va, sa, vb, sb, vo, n) : BinaryVectorLoops.f64(op, va, sa, vb, sb, vo, n);
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static void fill(ByteBuffer rep, boolean f32, long addr) {
    if (f32) {
      float v = Memory.getFloat(addr);
      for (int i = 0; i < 16; i++) {
        rep.putFloat(i * 4, v);
      }
    } else {
      double v = Memory.getDouble(addr);
      for (int i = 0; i < 8; i++) {
        rep.putDouble(i * 8, v);
      }
    }
  }

  private static void scalarRun(BinaryOp op, DType in, DType ot, long pa, int sa, long pb, int sb, long po, long len) {
    int wi = in.byteWidth();
    long da = (long) sa * wi;
    long db = (long) sb * wi;
    int wo = ot.byteWidth();
    boolean floating = in.isFloating();
    switch (op.kind()) {
      case ARITHMETIC:
        if (in == DType.FLOAT32) {
          for (long k = 0; k < len; k++) {
            Memory.putFloat(po + k * 4, op.f(Memory.getFloat(pa + k * da), Memory.getFloat(pb + k * db)));
          }
        } else if (floating) {
          for (long k = 0; k < len; k++) {
            Memory.putDouble(po + k * 8, op.d(Memory.getDouble(pa + k * da), Memory.getDouble(pb + k * db)));
          }
        } else {
          for (long k = 0; k < len; k++) {
            Elements.writeLong(ot, po + k * wo,
                op.l(Elements.readLong(in, pa + k * da), Elements.readLong(in, pb + k * db)));
          }
        }
        break;
      default:
        if (floating) {
          for (long k = 0; k < len; k++) {
            boolean r = op.test(Elements.readDouble(in, pa + k * da), Elements.readDouble(in, pb + k * db));
            Memory.putByte(po + k, (byte) (r ? 1 : 0));
          }
        } else {
          for (long k = 0; k < len; k++) {
            boolean r = op.test(Elements.readLong(in, pa + k * da), Elements.readLong(in, pb + k * db));
            Memory.putByte(po + k, (byte) (r ? 1 : 0));
          }
        }
    }
  }
}
