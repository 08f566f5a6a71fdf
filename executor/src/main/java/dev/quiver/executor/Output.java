package dev.quiver.executor;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.Map;

/**
 * A symbolic tensor: output {@link #index()} of an {@link Operation}, TensorFlow's {@code tf.Tensor} in a graph.
 * Carries the static dtype and (partial) shape that shape inference gave it. Immutable; equal when it names
 * the same output of the same op.
 */
public final class Output {
  private final Operation op;
  private final int index;
  private final DType dtype;
  private final Shape shape;

  Output(Operation op, int index, DType dtype, Shape shape) {
    this.op = op;
    this.index = index;
    this.dtype = dtype;
    this.shape = shape;
  }

  public Operation op() {
    return op;
  }

  public int index() {
    return index;
  }

  public DType dtype() {
    return dtype;
  }

  /** The static shape, possibly partial or of unknown rank. */
  public Shape shape() {
    return shape;
  }

  /** TensorFlow's tensor name: {@code "op_name:index"}. */
  public String name() {
    return op.name() + ":" + index;
  }

  public Graph graph() {
    return op.graph();
  }

  /** The value if this is the output of a constant, borrowed from the graph (do not close); else null. */
  Tensor constantValue() {
    if ("Const".equals(op.type()) && op.attrs().has("value")) {
      Object v = op.attrs().get("value");
      return v instanceof Tensor t ? t : null;
    }
    return null;
  }

  /**
   * The value of this tensor, computed in the default session of this thread ({@code tensor.eval()}).
   * The caller closes the result.
   *
   * @throws IllegalStateException if this thread has no default session or it runs another graph
   */
  public Tensor eval() {
    return eval(Session.requireDefault(graph()));
  }

  /** The value of this tensor computed in {@code session}; the caller closes it. */
  public Tensor eval(Session session) {
    return eval(session, Map.of());
  }

  /** The value of this tensor computed in {@code session} with {@code feeds}; the caller closes it. */
  public Tensor eval(Session session, Map<?, ?> feeds) {
    return session.runTensor(this, feeds);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Output other && other.op == op && other.index == index;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(op) * 31 + index;
  }

  @Override
  public String toString() {
    return "<tf.Tensor '" + name() + "' shape=" + shape + " dtype=" + dtype + ">";
  }
}
