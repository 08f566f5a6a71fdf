package dev.quiver.executor;

import dev.quiver.executor.ops.Attrs;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.TensorSpec;
import java.util.List;

/**
 * A node of a {@link Graph}: TensorFlow's {@code tf.Operation}. Immutable once added; safe to share between
 * threads. Two operations are equal only if they are the same node.
 */
public final class Operation {
  private final Graph graph;
  private final int id;
  private final String name;
  private final OpDef def;
  private final Attrs attrs;
  private final List<Output> inputs;
  private final List<Operation> controlInputs;
  private final Output[] outputs;

  Operation(Graph graph, int id, String name, OpDef def, Attrs attrs, List<Output> inputs,
            List<Operation> controlInputs, List<TensorSpec> outputSpecs) {
    this.graph = graph;
    this.id = id;
    this.name = name;
    this.def = def;
    this.attrs = attrs;
    this.inputs = inputs;
    this.controlInputs = controlInputs;
    this.outputs = new Output[outputSpecs.size()];
    for (int i = 0; i < outputs.length; i++) {
      TensorSpec spec = outputSpecs.get(i);
      outputs[i] = new Output(this, i, spec.dtype(), spec.shape());
    }
  }

  public Graph graph() {
    return graph;
  }

  /** The unique name in the graph, scope included ({@code "layer/mul_1"}). */
  public String name() {
    return name;
  }

  /** The op type ({@code "Mul"}). */
  public String type() {
    return def.type();
  }

  /** The op's declaration in the registry. */
  public OpDef opDef() {
    return def;
  }

  public Attrs attrs() {
    return attrs;
  }

  /** The data inputs, in order. */
  public List<Output> inputs() {
    return inputs;
  }

  /** The ops that must run before this one although no data flows from them. */
  public List<Operation> controlInputs() {
    return controlInputs;
  }

  public int numOutputs() {
    return outputs.length;
  }

  /**
   * Output {@code i}.
   *
   * @throws IndexOutOfBoundsException naming the op if it has no such output
   */
  public Output output(int i) {
    if (i < 0 || i >= outputs.length) {
      throw new IndexOutOfBoundsException("op '" + name + "' has " + outputs.length + " outputs, not " + (i + 1));
    }
    return outputs[i];
  }

  /** All outputs, in order. */
  public List<Output> outputs() {
    return List.of(outputs);
  }

  /** True if two runs with the same inputs may give different results (random ops). */
  public boolean isStateful() {
    return def.stateful();
  }

  /** The position of this op in its graph (the order ops were added). */
  int id() {
    return id;
  }

  /**
   * Runs this op in the default session of this thread ({@code op.run()} in TensorFlow).
   *
   * @throws IllegalStateException if this thread has no default session or it runs another graph
   */
  public void run() {
    run(Session.requireDefault(graph));
  }

  /** Runs this op in {@code session}. */
  public void run(Session session) {
    session.runner().addTarget(this).run().close();
  }

  @Override
  public String toString() {
    return "<tf.Operation '" + name + "' type=" + def.type() + ">";
  }
}
