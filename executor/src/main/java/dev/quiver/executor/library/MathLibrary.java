package dev.quiver.executor.library;

import dev.quiver.executor.kernels.math.BinaryOp;
import dev.quiver.executor.kernels.math.ElementwiseBinary;
import dev.quiver.executor.kernels.math.MathShapes;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;

/** TensorFlow's elementwise math ops, reductions and their relatives, over Arrow memory. */
public final class MathLibrary implements OpLibrary {
  @Override
  public void register(OpRegistry registry) {
    for (BinaryOp op : BinaryOp.values()) {
      registry.register(OpDef.of(op.tfName(), 2, MathShapes.binary(op), ElementwiseBinary.kernel(op)));
    }
  }
}
