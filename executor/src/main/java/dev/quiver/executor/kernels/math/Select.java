package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.kernels.Broadcast;
import dev.quiver.executor.kernels.Memory;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.Arrays;

/** TensorFlow's SelectV2 ({@code tf.where(cond, x, y)}): picks from x where cond is true, else y, all broadcast. */
public final class Select {
  private Select() {}

  public static void compute(KernelContext ctx) {
    Tensor c = ctx.input(0);
    Tensor x = ctx.input(1);
    Tensor y = ctx.input(2);
    Shape shape;
    try {
      shape = Broadcast.shapes(c.shape(), x.shape(), y.shape());
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException(ctx.opType() + " op '" + ctx.opName() + "': condition "
          + Arrays.toString(c.shape().dims()) + ", then " + Arrays.toString(x.shape().dims()) + " and else "
          + Arrays.toString(y.shape().dims()) + " are not broadcastable");
    }
    Broadcast plan = Broadcast.plan(shape, c.shape(), x.shape(), y.shape());
    int sc = plan.innerStride(0);
    int sx = plan.innerStride(1);
    int sy = plan.innerStride(2);
    if (x.dtype() == DType.STRING) {
      String[] r = new String[Math.toIntExact(plan.size())];
      plan.forEachRun(0, plan.size(), (o, idx, len) -> {
        for (long k = 0; k < len; k++) {
          boolean take = c.getBoolean(idx[0] + k * sc);
          r[(int) (o + k)] = take ? x.getString(idx[1] + k * sx) : y.getString(idx[2] + k * sy);
        }
      });
      ctx.setOutput(0, Tensor.of(ctx.allocator(), r, shape));
      return;
    }
    Tensor out = ctx.allocateUninitializedOutput(0, x.dtype(), shape);
    int w = x.dtype().byteWidth();
    long pc = c.address();
    long px = x.address();
    long py = y.address();
    long po = out.address();
    ctx.intraOp().parallelFor(plan.size(), ElementwiseBinary.MIN_CHUNK, (start, end) ->
        plan.forEachRun(start, end, (o, idx, len) -> {
          for (long k = 0; k < len; k++) {
            boolean take = Memory.getByte(pc + idx[0] + k * sc) != 0;
            long src = take ? px + (idx[1] + k * sx) * w : py + (idx[2] + k * sy) * w;
            long dst = po + (o + k) * w;
            switch (w) {
              case 1: Memory.putByte(dst, Memory.getByte(src)); break;
              case 2: Memory.putShort(dst, Memory.getShort(src)); break;
              case 4: Memory.putInt(dst, Memory.getInt(src)); break;
              default: Memory.putLong(dst, Memory.getLong(src));
            }
          }
        }));
  }
}
