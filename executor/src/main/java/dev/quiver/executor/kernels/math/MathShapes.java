package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.UnimplementedException;
import dev.quiver.executor.kernels.Broadcast;
import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.ShapeFunction;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.List;

/** Build-time shape inference of the math ops: every bad dtype or shape fails here, naming the op. */
public final class MathShapes {
  private MathShapes() {}

  /** Two inputs of one dtype the op accepts, numpy-broadcast. */
  public static ShapeFunction binary(BinaryOp op) {
    return ctx -> {
      if (op.kind() == BinaryOp.Kind.EQUALITY && !ctx.attrs().getBool("incompatible_shape_error")) {
        throw new UnimplementedException(ctx.opType() + " op '" + ctx.opName() + "': attribute "
            + "'incompatible_shape_error' = false is not supported; shapes that do not broadcast are errors");
      }
      DType t = sameDType(ctx, 0, 1);
      if (!op.accepts(t)) {
        throw op.types().reject(ctx, 0, t);
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

  /** TF's TypeError for an input dtype the op has no kernel for (its first input's, unless the op says). */
  public static IllegalArgumentException unsupported(InferenceContext ctx, DType t) {
    return new IllegalArgumentException(ctx.opType() + " op '" + ctx.opName() + "': input 0 has DataType " + t
        + " not in list of allowed values");
  }

  /** The broadcast of static shapes, or an InvalidArgument error naming the op. */
  public static Shape broadcast(InferenceContext ctx, Shape... shapes) {
    try {
      return Broadcast.shapes(shapes);
    } catch (IllegalArgumentException e) {
      throw ctx.error(e.getMessage());
    }
  }

  /** One input the op accepts, same shape. */
  public static ShapeFunction unary(UnaryOp op) {
    return ctx -> {
      DType t = ctx.inputDType(0);
      if (!op.accepts(t)) {
        throw op.types().reject(ctx, 0, t);
      }
      return List.of(new TensorSpec(op.outputType(t), ctx.inputShape(0)));
    };
  }

  /** Cast: any dtype but string to {@code DstT}. */
  public static ShapeFunction cast() {
    return ctx -> {
      DType to = ctx.attrs().getDType("DstT");
      if (!Cast.castable(ctx.inputDType(0)) || !Cast.castable(to)) {
        throw new IllegalArgumentException(ctx.opType() + " op '" + ctx.opName() + "': cannot cast "
            + ctx.inputDType(0) + " to " + to);
      }
      return List.of(new TensorSpec(to, ctx.inputShape(0)));
    };
  }

  /** SelectV2: a bool condition and two values of one dtype, all broadcast. */
  public static ShapeFunction select() {
    return ctx -> {
      if (ctx.inputDType(0) != DType.BOOL) {
        throw new IllegalArgumentException(ctx.opType() + " op '" + ctx.opName() + "': the condition must be bool, not "
            + ctx.inputDType(0));
      }
      DType t = sameDType(ctx, 1, 2);
      return List.of(new TensorSpec(t, broadcast(ctx, ctx.inputShape(0), ctx.inputShape(1), ctx.inputShape(2))));
    };
  }

  /** AddN: numeric inputs of one dtype and compatible shapes. */
  public static ShapeFunction addN() {
    return ctx -> {
      DType t = ctx.inputDType(0);
      if (!t.isNumeric()) {
        throw unsupported(ctx, t);
      }
      Shape s = ctx.inputShape(0);
      for (int i = 1; i < ctx.numInputs(); i++) {
        sameDType(ctx, 0, i);
        if (!s.isCompatibleWith(ctx.inputShape(i))) {
          throw ctx.error("input " + i + " has shape " + ctx.inputShape(i) + ", incompatible with " + s);
        }
        s = s.mergeWith(ctx.inputShape(i));
      }
      return List.of(new TensorSpec(t, s));
    };
  }

  /** A reduction over the axes in input 1 with {@code keep_dims}; exact when the axes are constant. */
  public static ShapeFunction reduction(Reducer red) {
    return ctx -> {
      DType t = ctx.inputDType(0);
      boolean logical = red == Reducer.ALL || red == Reducer.ANY;
      if (logical ? t != DType.BOOL : !t.isNumeric()) {
        throw unsupported(ctx, t);
      }
      return List.of(new TensorSpec(t, reducedShape(ctx, ctx.attrs().getBool("keep_dims"))));
    };
  }

  private static Shape reducedShape(InferenceContext ctx, boolean keepDims) {
    Shape in = ctx.inputShape(0);
    DType at = ctx.inputDType(1);
    if (at != DType.INT32 && at != DType.INT64) {
      throw new IllegalArgumentException(ctx.opType() + " op '" + ctx.opName() + "': axes must be int32 or int64, not " + at);
    }
    if (ctx.inputShape(1).rank() > 1) {
      throw ctx.error("axes must be a scalar or a vector, not of shape " + ctx.inputShape(1));
    }
    if (in.hasUnknownRank()) {
      return Shape.unknown();
    }
    Tensor axes = ctx.constantInput(1);
    if (axes == null) {
      return keepDims ? Shape.unknownDims(in.rank()) : Shape.unknown();
    }
    boolean[] mask = new boolean[in.rank()];
    try {
      for (long a : Axes.values(axes, in.rank(), ctx.opType() + " op '" + ctx.opName() + "'")) {
        mask[(int) a] = true;
      }
    } catch (InvalidArgumentException e) {
      throw ctx.error(e.getMessage().substring(e.getMessage().indexOf("': ") + 3));
    }
    return Axes.reducedShape(in, mask, keepDims);
  }

  /** ArgMax/ArgMin: numeric or bool input, scalar dimension, int32/int64 output. */
  public static ShapeFunction argReduce() {
    return ctx -> {
      DType t = ctx.inputDType(0);
      if (!t.isNumeric() && t != DType.BOOL) {
        throw unsupported(ctx, t);
      }
      DType out = ctx.attrs().getDType("output_type");
      if (out != DType.INT32 && out != DType.INT64) {
        throw new IllegalArgumentException(ctx.opType() + " op '" + ctx.opName() + "': output_type must be int32 or int64");
      }
      Shape in = ctx.inputShape(0);
      if (in.rank() == 0) {
        throw ctx.error("the input must be at least 1-D");
      }
      Shape shape;
      if (in.hasUnknownRank()) {
        shape = Shape.unknown();
      } else if (ctx.constantInput(1) == null) {
        shape = Shape.unknownDims(in.rank() - 1);
      } else {
        shape = reducedShape(ctx, false);
      }
      return List.of(new TensorSpec(out, shape));
    };
  }

  /** Cumsum/Cumprod: numeric, same shape, a valid scalar axis when constant. */
  public static ShapeFunction cumulative() {
    return ctx -> {
      DType t = ctx.inputDType(0);
      if (!t.isNumeric()) {
        throw unsupported(ctx, t);
      }
      Shape in = ctx.inputShape(0);
      if (ctx.inputShape(1).rank() > 0) {
        throw ctx.error("axis must be a scalar, not of shape " + ctx.inputShape(1));
      }
      if (!in.hasUnknownRank() && ctx.constantInput(1) != null) {
        if (in.rank() == 0) {
          throw ctx.error("the input must be at least 1-D");
        }
        reducedShape(ctx, true);
      }
      return List.of(new TensorSpec(t, in));
    };
  }

  /** Softmax/LogSoftmax: floating logits of rank >= 1. */
  public static ShapeFunction softmax() {
    return ctx -> {
      DType t = ctx.inputDType(0);
      if (!t.isFloating()) {
        throw unsupported(ctx, t);
      }
      if (ctx.inputShape(0).rank() == 0) {
        throw ctx.error("logits must have >= 1 dimension, got " + ctx.inputShape(0));
      }
      return List.of(new TensorSpec(t, ctx.inputShape(0)));
    };
  }
}
