package dev.quiver.executor.differential;

import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.Tensor;
import java.util.List;

/**
 * One generated case: the op type (or, for a function composed of several ops, the name the references know it
 * by), its attributes and its inputs (owned by the case: the suite closes them after running it). A composed
 * case carries the code that builds it from the input placeholders; a plain op case has none. With
 * {@code dynamicShapes} the placeholders declare only each input's rank (every dim unknown), so the op (or
 * composite) is built without static dims and must take them from the tensors when the step runs.
 */
public record DifferentialCase(String op, Attrs attrs, List<Tensor> inputs, Composite composite,
                               boolean dynamicShapes) implements AutoCloseable {

  /** Builds a composed function's outputs from its input placeholders. */
  @FunctionalInterface
  public interface Composite {
    List<Output> build(Ops tf, List<Output> inputs);
  }

  /** A case of the single op {@code op}. */
  public DifferentialCase(String op, Attrs attrs, List<Tensor> inputs) {
    this(op, attrs, inputs, null, false);
  }

  /** A case of a composed function, on placeholders of full static shapes. */
  public DifferentialCase(String op, Attrs attrs, List<Tensor> inputs, Composite composite) {
    this(op, attrs, inputs, composite, false);
  }

  @Override
  public void close() {
    inputs.forEach(Tensor::close);
  }
}
