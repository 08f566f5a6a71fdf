package dev.quiver.executor;

import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;

/**
 * The {@code tf.sparse} namespace of the {@link Ops} facade: ops over sparse tensors given as their COO
 * parts (indices [nnz, rank] int64, values [nnz], dense_shape [rank] int64). Thread-safe as {@link Scope} is.
 */
public final class SparseOps {
  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public SparseOps(Scope scope) {
    this.scope = scope;
  }

  /**
   * {@code tf.sparse.to_dense} / {@code tf.compat.v1.sparse_to_dense}: {@code values} at {@code indices} of a
   * dense tensor of {@code denseShape}, {@code defaultValue} (a scalar of the values' dtype) elsewhere. With
   * {@code validateIndices}, indices must be sorted row-major and unique.
   */
  public Output toDense(Output indices, Output values, Output denseShape, Output defaultValue,
                        boolean validateIndices) {
    return scope.addOp("SparseToDense", "SparseToDense", Attrs.of("validate_indices", validateIndices), indices,
        denseShape, values, defaultValue).output(0);
  }

  /**
   * {@link #toDense} with zero (or the empty string) as default and index validation on, as
   * {@code tf.compat.v1.sparse_to_dense}: the default is the op's constant argument
   * {@code SparseToDense/default_value}.
   */
  public Output toDense(Output indices, Output values, Output denseShape) {
    OpScope op = scope.opScope("SparseToDense");
    Output dflt = op.argument("default_value").constant(zeroOf(values.dtype()), values.dtype());
    return op.output("SparseToDense", Attrs.of("validate_indices", true), indices, denseShape, values, dflt);
  }

  private static Object zeroOf(DType dtype) {
    return dtype == DType.STRING ? "" : dtype == DType.BOOL ? (Object) false : (Object) 0;
  }

  /**
   * {@code tf.sparse.sparse_dense_matmul(A, b, adjoint_a, adjoint_b)} with A given as its COO parts: the dense
   * product {@code op(A) @ op(b)}.
   */
  public Output denseMatMul(Output aIndices, Output aValues, Output aShape, Output b, boolean adjointA,
                            boolean adjointB) {
    return scope.addOp("SparseTensorDenseMatMul", "SparseTensorDenseMatMul",
        Attrs.of("adjoint_a", adjointA, "adjoint_b", adjointB), aIndices, aValues, aShape, b).output(0);
  }

  /** {@code tf.sparse.reduce_sum(sp, axis, keepdims)} with the sparse input as its COO parts: a dense result. */
  public Output reduceSum(Output indices, Output values, Output denseShape, int[] axes, boolean keepDims) {
    OpScope op = scope.opScope("SparseReduceSum");
    Output ax = op.argument("reduction_axes").constant(axes, DType.INT32);
    return op.output("SparseReduceSum", Attrs.of("keep_dims", keepDims), indices, values, denseShape, ax);
  }

  // ---- over SparseTensor

  /**
   * {@code tf.sparse.to_dense(sp)}: zero (or "") where {@code sp} has no value; indices validated. As in TF, the
   * zero is a constant {@code zeros} built before the op.
   */
  public Output toDense(SparseTensor sp) {
    DType dtype = sp.values().dtype();
    Output zero = scope.withName("zeros").constant(zeroOf(dtype), dtype);
    return toDense(sp, zero, true);
  }

  /** {@code tf.sparse.to_dense(sp, default_value, validate_indices)}. */
  public Output toDense(SparseTensor sp, Output defaultValue, boolean validateIndices) {
    return toDense(sp.indices(), sp.values(), sp.denseShape(), defaultValue, validateIndices);
  }

  /** {@code tf.sparse.sparse_dense_matmul(sp, b, adjoint_a, adjoint_b)}. */
  public Output denseMatMul(SparseTensor a, Output b, boolean adjointA, boolean adjointB) {
    return denseMatMul(a.indices(), a.values(), a.denseShape(), b, adjointA, adjointB);
  }

  /** {@code tf.sparse.reduce_sum(sp, axis, keepdims)}: a dense result. */
  public Output reduceSum(SparseTensor sp, int[] axes, boolean keepDims) {
    return reduceSum(sp.indices(), sp.values(), sp.denseShape(), axes, keepDims);
  }
}
