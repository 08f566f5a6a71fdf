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
   * Softmax over {@code axis} (negative counts from the end). The last axis is TF's Softmax op; another axis
   * is composed stably as {@code exp(x - max) / sum(exp(x - max))} over that axis.
   */
  public Output softmax(Output logits, int axis) {
    if (isLast(logits, axis)) {
      return softmax(logits);
    }
    MathOps m = new MathOps(scope);
    Output e = m.exp(m.subtract(logits, m.reduceMax(logits, new int[] {axis}, true)));
    return m.divide(e, m.reduceSum(e, new int[] {axis}, true));
  }

  /** Log-softmax over the last axis. */
  public Output logSoftmax(Output logits) {
    return unary("LogSoftmax", logits);
  }

  /** Log-softmax over {@code axis}: {@code x - max - log(sum(exp(x - max)))} when it is not the last axis. */
  public Output logSoftmax(Output logits, int axis) {
    if (isLast(logits, axis)) {
      return logSoftmax(logits);
    }
    MathOps m = new MathOps(scope);
    Output shifted = m.subtract(logits, m.reduceMax(logits, new int[] {axis}, true));
    return m.subtract(shifted, m.log(m.reduceSum(m.exp(shifted), new int[] {axis}, true)));
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
