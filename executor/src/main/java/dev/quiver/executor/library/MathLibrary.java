package dev.quiver.executor.library;

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
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;

/** TensorFlow's elementwise math ops, casts, selection and reductions, over Arrow memory. */
public final class MathLibrary implements OpLibrary {
  @Override
  public void register(OpRegistry registry) {
    for (BinaryOp op : BinaryOp.values()) {
      registry.register(OpDef.of(op.tfName(), 2, MathShapes.binary(op), ElementwiseBinary.kernel(op)));
    }
    for (UnaryOp op : UnaryOp.values()) {
      registry.register(OpDef.of(op.tfName(), 1, MathShapes.unary(op), ElementwiseUnary.kernel(op)));
    }
    registry.register(OpDef.of("Cast", 1, MathShapes.cast(), Cast::compute));
    registry.register(OpDef.of("SelectV2", 3, MathShapes.select(), Select::compute));
    registry.register(new OpDef("AddN", 1, Integer.MAX_VALUE, MathShapes.addN(), AddN::compute, false));
    reduction(registry, "Sum", Reducer.SUM, false);
    reduction(registry, "Prod", Reducer.PROD, false);
    reduction(registry, "Max", Reducer.MAX, false);
    reduction(registry, "Min", Reducer.MIN, false);
    reduction(registry, "All", Reducer.ALL, false);
    reduction(registry, "Any", Reducer.ANY, false);
    reduction(registry, "Mean", Reducer.SUM, true);
    registry.register(OpDef.of("ArgMax", 2, MathShapes.argReduce(), ArgReduce.kernel(true)));
    registry.register(OpDef.of("ArgMin", 2, MathShapes.argReduce(), ArgReduce.kernel(false)));
    registry.register(OpDef.of("Cumsum", 2, MathShapes.cumulative(), Cumulative.kernel(Reducer.SUM)));
    registry.register(OpDef.of("Cumprod", 2, MathShapes.cumulative(), Cumulative.kernel(Reducer.PROD)));
  }

  private static void reduction(OpRegistry registry, String type, Reducer red, boolean mean) {
    registry.register(OpDef.of(type, 2, MathShapes.reduction(red), Reduction.kernel(red, mean)));
  }
}
