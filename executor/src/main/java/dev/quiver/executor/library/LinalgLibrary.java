package dev.quiver.executor.library;

import dev.quiver.executor.kernels.math.MatMul;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;

/** TensorFlow's matrix products: MatMul and BatchMatMul(V2) with broadcast batch dims. */
public final class LinalgLibrary implements OpLibrary {
  @Override
  public void register(OpRegistry registry) {
    registry.register(OpDef.of("MatMul", 2, MatMul.matMulShape(), MatMul::computeMatMul));
    registry.register(OpDef.of("BatchMatMulV2", 2, MatMul.batchMatMulShape(), MatMul::computeBatch));
    registry.register(OpDef.of("BatchMatMul", 2, MatMul.batchMatMulShape(), MatMul::computeBatch));
  }
}
