package dev.quiver.executor.library;

import static dev.quiver.executor.ops.AttrDef.typeOfInput;
import static dev.quiver.executor.ops.AttrDef.withDefault;

import dev.quiver.executor.kernels.sparse.SparseKernels;
import dev.quiver.executor.ops.AttrType;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;

/** TensorFlow's sparse ops over COO (indices, values, dense_shape) triples. */
public final class SparseLibrary implements OpLibrary {
  @Override
  public void register(OpRegistry r) {
    r.register(OpDef.of("SparseToDense", 4, SparseKernels::inferSparseToDense, SparseKernels::sparseToDense)
        .withAttrs(withDefault("validate_indices", AttrType.BOOL, true), typeOfInput("T", 2),
            typeOfInput("Tindices", 0)));
    r.register(OpDef.of("SparseTensorDenseMatMul", 4, SparseKernels::inferSparseDenseMatMul,
            SparseKernels::sparseDenseMatMul)
        .withAttrs(typeOfInput("T", 1), typeOfInput("Tindices", 0), withDefault("adjoint_a", AttrType.BOOL, false),
            withDefault("adjoint_b", AttrType.BOOL, false)));
    r.register(OpDef.of("SparseReduceSum", 4, SparseKernels::inferSparseReduceSum, SparseKernels::sparseReduceSum)
        .withAttrs(withDefault("keep_dims", AttrType.BOOL, false), typeOfInput("T", 1)));
  }
}
