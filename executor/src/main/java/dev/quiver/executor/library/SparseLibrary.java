package dev.quiver.executor.library;

import dev.quiver.executor.kernels.sparse.SparseKernels;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;

/** TensorFlow's sparse ops over COO (indices, values, dense_shape) triples. */
public final class SparseLibrary implements OpLibrary {
  @Override
  public void register(OpRegistry r) {
    r.register(OpDef.of("SparseToDense", 4, SparseKernels::inferSparseToDense, SparseKernels::sparseToDense));
    r.register(OpDef.of("SparseTensorDenseMatMul", 4, SparseKernels::inferSparseDenseMatMul,
        SparseKernels::sparseDenseMatMul));
    r.register(OpDef.of("SparseReduceSum", 4, SparseKernels::inferSparseReduceSum, SparseKernels::sparseReduceSum));
  }
}
