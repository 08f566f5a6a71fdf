package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.Tensor;

/** TensorFlow's AddN: the sum of N tensors of one dtype and one shape (no broadcasting), accumulated in the output. */
public final class AddN {
  private AddN() {}

  public static void compute(KernelContext ctx) {
    int n = ctx.numInputs();
    Tensor first = ctx.input(0);
    for (int i = 1; i < n; i++) {
      if (!ctx.input(i).shape().equals(first.shape())) {
        throw new InvalidArgumentException(ctx.opType() + " op '" + ctx.opName() + "': input " + i + " has shape "
            + ctx.input(i).shape() + ", input 0 has " + first.shape() + "; AddN needs equal shapes");
      }
    }
    if (n == 1) {
      ctx.setOutput(0, first.share());
      return;
    }
    Tensor out = ctx.allocateUninitializedOutput(0, first.dtype(), first.shape());
    ElementwiseBinary.run(BinaryOp.ADD, first, ctx.input(1), out, ctx.intraOp());
    for (int i = 2; i < n; i++) {
      ElementwiseBinary.run(BinaryOp.ADD, out, ctx.input(i), out, ctx.intraOp());
    }
  }
}
