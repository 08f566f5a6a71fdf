package dev.quiver.executor;

import dev.quiver.store.Tensor;
import java.util.Objects;

/**
 * The value of a {@link SparseTensor}, {@code tf.compat.v1.SparseTensorValue}: its three tensors. Owns one
 * reference to each; {@link #close()} releases them (a {@link Result} closes the values it holds).
 */
public record SparseTensorValue(Tensor indices, Tensor values, Tensor denseShape) implements AutoCloseable {
  public SparseTensorValue {
    Objects.requireNonNull(indices, "indices");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(denseShape, "denseShape");
  }

  @Override
  public void close() {
    indices.close();
    values.close();
    denseShape.close();
  }
}
