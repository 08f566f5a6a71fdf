package dev.quiver.executor.differential;

import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.Tensor;
import java.util.List;

/**
 * One generated op invocation: the op type, its attributes and its inputs (owned by the case: the suite
 * closes them after running it).
 */
public record DifferentialCase(String op, Attrs attrs, List<Tensor> inputs) implements AutoCloseable {
  @Override
  public void close() {
    inputs.forEach(Tensor::close);
  }
}
