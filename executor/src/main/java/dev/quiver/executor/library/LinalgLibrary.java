package dev.quiver.executor.library;

import static dev.quiver.executor.ops.AttrDef.typeOfInput;
import static dev.quiver.executor.ops.AttrDef.withDefault;

import dev.quiver.executor.kernels.math.MatMul;
import dev.quiver.executor.ops.AttrType;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;

/**
 * TensorFlow's matrix products: MatMul, BatchMatMulV2 (batch dims broadcast) and BatchMatMul (TF 1's, batch dims
 * equal). Their grad_* attributes are TF's hints that the product is part of a gradient; they do not change the
 * result, so Quiver takes and ignores them.
 */
public final class LinalgLibrary implements OpLibrary {
  @Override
  public void register(OpRegistry registry) {
    registry.register(OpDef.of("MatMul", 2, MatMul.matMulShape(), MatMul::computeMatMul)
        .withAttrs(withDefault("transpose_a", AttrType.BOOL, false), withDefault("transpose_b", AttrType.BOOL, false),
            typeOfInput("T", 0), withDefault("grad_a", AttrType.BOOL, false),
            withDefault("grad_b", AttrType.BOOL, false)));
    for (String type : new String[] {"BatchMatMulV2", "BatchMatMul"}) {
      boolean broadcast = type.equals("BatchMatMulV2");
      registry.register(OpDef.of(type, 2, MatMul.batchMatMulShape(broadcast), MatMul::computeBatch)
          .withAttrs(typeOfInput("T", 0), withDefault("adj_x", AttrType.BOOL, false),
              withDefault("adj_y", AttrType.BOOL, false), withDefault("grad_x", AttrType.BOOL, false),
              withDefault("grad_y", AttrType.BOOL, false)));
    }
  }
}
