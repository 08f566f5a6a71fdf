package dev.quiver.executor.kernels.math;

import dev.quiver.executor.kernels.Broadcast;
import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.ShapeFunction;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import java.util.List;

/** Build-time shape inference of the math ops: every bad dtype or shape fails here, naming the op. */
public final class MathShapes {
  private MathShapes() {}

  /** Two inputs of one dtype the op accepts, numpy-broadcast. */
  public static ShapeFunction binary(BinaryOp op) {
    return ctx -> {
      DType t = sameDType(ctx, 0, 1);
      if (!op.accepts(t)) {
        throw unsupported(ctx, t);
      }
      return List.of(new TensorSpec(op.outputType(t), broadcast(ctx, ctx.inputShape(0), ctx.inputShape(1))));
    };
  }

  /** The common dtype of inputs {@code i} and {@code j}; a mismatch is TF's TypeError. */
  public static DType sameDType(InferenceContext ctx, int i, int j) {
    DType a = ctx.inputDType(i);
    DType b = ctx.inputDType(j);
    if (a != b) {
      throw new IllegalArgumentException(ctx.opType() + " op '" + ctx.opName() + "': input " + j + " has type " + b
          + " that does not match type " + a + " of input " + i);
    }
    return a;
  }

  /** TF's TypeError for an input dtype the op has no kernel for. */
  public static IllegalArgumentException unsupported(InferenceContext ctx, DType t) {
    return new IllegalArgumentException(ctx.opType() + " op '" + ctx.opName() + "' does not support dtype " + t);
  }

  /** The broadcast of static shapes, or an InvalidArgument error naming the op. */
  public static Shape broadcast(InferenceContext ctx, Shape... shapes) {
    try {
      return Broadcast.shapes(shapes);
    } catch (IllegalArgumentException e) {
      throw ctx.error(e.getMessage());
    }
  }
}
