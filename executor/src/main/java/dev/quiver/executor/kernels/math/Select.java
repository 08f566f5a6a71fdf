package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.kernels.Broadcast;
import dev.quiver.executor.kernels.Memory;
import dev.quiver.executor.kernels.array.RunOutputs;
import dev.quiver.executor.kernels.array.RunWriter;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;

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
          + Broadcast.tfShape(c.shape()) + ", then " + Broadcast.tfShape(x.shape()) + ", and else "
          + Broadcast.tfShape(y.shape()) + " must be broadcastable");
    }
    Broadcast plan = Broadcast.plan(shape, c.shape(), x.shape(), y.shape());
    int sc = plan.innerStride(0);
    int sx = plan.innerStride(1);
    int sy = plan.innerStride(2);
    if (x.dtype() == DType.STRING) {
      RunOutputs.write(ctx, 0, DType.STRING, shape, w -> pickStrings(plan, c, x, y, w), null);
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

  /**
   * Emits the picked strings as runs of x or y, merging neighbours taken from consecutive elements of one
   * input, so the writer copies their UTF-8 bytes in bulk and no element is decoded.
   */
  private static void pickStrings(Broadcast plan, Tensor c, Tensor x, Tensor y, RunWriter w) {
    if (plan.size() == 0) {
      return; // a plan with an empty dim has no runs to stride over
    }
    int sc = plan.innerStride(0);
    int sx = plan.innerStride(1);
    int sy = plan.innerStride(2);
    long pc = c.address();
    PickedRuns runs = new PickedRuns(w);
    plan.forEachRun(0, plan.size(), (o, idx, len) -> {
      for (long k = 0; k < len; k++) {
        boolean take = Memory.getByte(pc + idx[0] + k * sc) != 0;
        runs.add(take ? x : y, take ? idx[1] + k * sx : idx[2] + k * sy);
      }
    });
    runs.flush();
  }

  /** Picked elements in output order, passed on as runs of consecutive elements of one source. */
  private static final class PickedRuns {
    private final RunWriter writer;
    private Tensor source;
    private long start;
    private long count;

    PickedRuns(RunWriter writer) {
      this.writer = writer;
    }

    void add(Tensor from, long element) {
      if (from == source && element == start + count) {
        count++;
        return;
      }
      flush();
      source = from;
      start = element;
      count = 1;
    }

    void flush() {
      if (count > 0) {
        writer.copy(source, start, count);
        count = 0;
      }
    }
  }
}
