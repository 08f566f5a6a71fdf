package dev.quiver.executor.library;

import static dev.quiver.executor.ops.AttrDef.typeOfInput;

import dev.quiver.executor.kernels.math.MathShapes;
import dev.quiver.executor.kernels.math.Softmax;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;

/** TensorFlow's neural-network ops over the last axis: Softmax and LogSoftmax (activations are in MathLibrary). */
public final class NnLibrary implements OpLibrary {
  @Override
  public void register(OpRegistry registry) {
    registry.register(OpDef.of("Softmax", 1, MathShapes.softmax(), Softmax.kernel(false))
        .withAttrs(typeOfInput("T", 0)));
    registry.register(OpDef.of("LogSoftmax", 1, MathShapes.softmax(), Softmax.kernel(true))
        .withAttrs(typeOfInput("T", 0)));
  }
}
