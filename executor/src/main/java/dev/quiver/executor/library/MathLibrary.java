package dev.quiver.executor.library;

import static dev.quiver.executor.ops.AttrDef.lengthOfInputList;
import static dev.quiver.executor.ops.AttrDef.required;
import static dev.quiver.executor.ops.AttrDef.typeOfInput;
import static dev.quiver.executor.ops.AttrDef.withDefault;

import dev.quiver.executor.kernels.math.AddN;
import dev.quiver.executor.kernels.math.ArgReduce;
import dev.quiver.executor.kernels.math.BinaryOp;
import dev.quiver.executor.kernels.math.Cast;
import dev.quiver.executor.kernels.math.Cumulative;
import dev.quiver.executor.kernels.math.ElementwiseBinary;
import dev.quiver.executor.kernels.math.ElementwiseUnary;
import dev.quiver.executor.kernels.math.MathShapes;
import dev.quiver.executor.kernels.math.Reducer;
import dev.quiver.executor.kernels.math.Reduction;
import dev.quiver.executor.kernels.math.Select;
import dev.quiver.executor.kernels.math.UnaryOp;
import dev.quiver.executor.ops.AttrDef;
import dev.quiver.executor.ops.AttrType;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;
import dev.quiver.store.DType;

/** TensorFlow's elementwise math ops, casts, selection and reductions, over Arrow memory. */
public final class MathLibrary implements OpLibrary {
  @Override
  public void register(OpRegistry registry) {
    for (BinaryOp op : BinaryOp.values()) {
      registry.register(OpDef.of(op.tfName(), 2, MathShapes.binary(op), ElementwiseBinary.kernel(op))
          .withAttrs(binaryAttrs(op)));
    }
    for (UnaryOp op : UnaryOp.values()) {
      registry.register(OpDef.of(op.tfName(), 1, MathShapes.unary(op), ElementwiseUnary.kernel(op))
          .withAttrs(op.kind() == UnaryOp.Kind.LOGICAL ? new AttrDef[0] : new AttrDef[] {typeOfInput("T", 0)}));
    }
    registry.register(OpDef.of("Cast", 1, MathShapes.cast(), Cast::compute)
        .withAttrs(typeOfInput("SrcT", 0), required("DstT", AttrType.TYPE),
            withDefault("Truncate", AttrType.BOOL, false)));
    registry.register(OpDef.of("SelectV2", 3, MathShapes.select(), Select::compute).withAttrs(typeOfInput("T", 1)));
    registry.register(OpDef.of("AddN", 1, Integer.MAX_VALUE, MathShapes.addN(), AddN::compute)
        .withAttrs(lengthOfInputList("N", 0), typeOfInput("T", 0)));
    reduction(registry, "Sum", Reducer.SUM, false);
    reduction(registry, "Prod", Reducer.PROD, false);
    reduction(registry, "Max", Reducer.MAX, false);
    reduction(registry, "Min", Reducer.MIN, false);
    reduction(registry, "All", Reducer.ALL, false);
    reduction(registry, "Any", Reducer.ANY, false);
    reduction(registry, "Mean", Reducer.SUM, true);
    for (String type : new String[] {"ArgMax", "ArgMin"}) {
      registry.register(OpDef.of(type, 2, MathShapes.argReduce(), ArgReduce.kernel(type.equals("ArgMax")))
          .withAttrs(typeOfInput("T", 0), typeOfInput("Tidx", 1),
              withDefault("output_type", AttrType.TYPE, DType.INT64)));
    }
    for (String type : new String[] {"Cumsum", "Cumprod"}) {
      registry.register(OpDef.of(type, 2, MathShapes.cumulative(),
              Cumulative.kernel(type.equals("Cumsum") ? Reducer.SUM : Reducer.PROD))
          .withAttrs(withDefault("exclusive", AttrType.BOOL, false), withDefault("reverse", AttrType.BOOL, false),
              typeOfInput("T", 0), typeOfInput("Tidx", 1)));
    }
  }

  /**
   * TF's attributes of a binary op: T, but for the bool-only logical ops; Equal and NotEqual also take
   * incompatible_shape_error (Quiver implements only its default, true).
   */
  private static AttrDef[] binaryAttrs(BinaryOp op) {
    switch (op.kind()) {
      case LOGICAL:
        return new AttrDef[0];
      case EQUALITY:
        return new AttrDef[] {typeOfInput("T", 0), withDefault("incompatible_shape_error", AttrType.BOOL, true)};
      default:
        return new AttrDef[] {typeOfInput("T", 0)};
    }
  }

  /** A reduction: TF's keep_dims, T (but for the bool-only All and Any) and Tidx, the axes' dtype. */
  private static void reduction(OpRegistry registry, String type, Reducer red, boolean mean) {
    OpDef.Builder op = OpDef.of(type, 2, MathShapes.reduction(red), Reduction.kernel(red, mean));
    AttrDef keepDims = withDefault("keep_dims", AttrType.BOOL, false);
    registry.register(red == Reducer.ALL || red == Reducer.ANY ? op.withAttrs(keepDims, typeOfInput("Tidx", 1))
        : op.withAttrs(keepDims, typeOfInput("T", 0), typeOfInput("Tidx", 1)));
  }
}
