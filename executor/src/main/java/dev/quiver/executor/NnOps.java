package dev.quiver.executor;

import dev.quiver.executor.ops.Attrs;

/**
 * The {@code tf.nn} namespace of the {@link Ops} facade: activations and softmax. Thread-safe as {@link Scope} is.
 */
public final class NnOps {
  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public NnOps(Scope scope) {
    this.scope = scope;
  }

  private Output unary(String type, Output x) {
    return scope.addOp(type, type, Attrs.empty(), x).output(0);
  }

  public Output relu(Output x) {
    return unary("Relu", x);
  }

  public Output relu6(Output x) {
    return unary("Relu6", x);
  }

  public Output elu(Output x) {
    return unary("Elu", x);
  }

  public Output softplus(Output x) {
    return unary("Softplus", x);
  }

  public Output sigmoid(Output x) {
    return unary("Sigmoid", x);
  }

  public Output tanh(Output x) {
    return unary("Tanh", x);
  }

  /** Softmax over the last axis. */
  public Output softmax(Output logits) {
    return unary("Softmax", logits);
  }

  /**
   * Softmax over {@code axis} (negative counts from the end). The last axis is TF's Softmax op; for another axis,
   * as {@code tf.nn.softmax} does, the axis is swapped with the last one by a Transpose, Softmax runs, and the same
   * Transpose swaps it back (so NaN and Inf rows give exactly what TF gives). As in TF, the first two keep their
   * default names ({@code transpose}, {@code Softmax}) and the last takes this scope's name, by default
   * {@code transpose} made unique ({@code transpose_1}).
   */
  public Output softmax(Output logits, int axis) {
    if (isLast(logits, axis)) {
      return softmax(logits);
    }
    Scope top = scope.withoutName();
    return swapWithLast(scope, new NnOps(top).softmax(swapWithLast(top, logits, axis)), axis);
  }

  /** Log-softmax over the last axis. */
  public Output logSoftmax(Output logits) {
    return unary("LogSoftmax", logits);
  }

  /** Log-softmax over {@code axis}, transposed around TF's LogSoftmax as {@link #softmax(Output, int)}. */
  public Output logSoftmax(Output logits, int axis) {
    if (isLast(logits, axis)) {
      return logSoftmax(logits);
    }
    Scope top = scope.withoutName();
    return swapWithLast(scope, new NnOps(top).logSoftmax(swapWithLast(top, logits, axis)), axis);
  }

  /** {@code x} with dims {@code axis} and {@code rank - 1} swapped (its own inverse), a Transpose in {@code s}. */
  private static Output swapWithLast(Scope s, Output x, int axis) {
    int rank = x.shape().rank();
    int a = axis < 0 ? axis + rank : axis;
    int[] perm = new int[rank];
    for (int i = 0; i < rank; i++) {
      perm[i] = i;
    }
    perm[a] = rank - 1;
    perm[rank - 1] = a;
    return new ArrayOps(s).transpose(x, perm);
  }

  private static boolean isLast(Output x, int axis) {
    int rank = x.shape().rank();
    if (axis == -1) {
      return true;
    }
    if (rank < 0) {
      throw new IllegalArgumentException("softmax over axis " + axis + " needs a known rank; " + x + " has none");
    }
    if (axis < -rank || axis >= rank) {
      throw new IllegalArgumentException("axis " + axis + " is out of range for " + x + " of rank " + rank);
    }
    return axis == rank - 1;
  }
}
