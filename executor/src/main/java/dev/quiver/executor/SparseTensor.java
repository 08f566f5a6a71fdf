package dev.quiver.executor;

import dev.quiver.store.DType;
import java.util.Objects;

/**
 * A sparse tensor in a graph, TensorFlow's {@code tf.sparse.SparseTensor}: three dense tensors, the int64
 * {@code indices} {@code [N, rank]} of the non-zero elements, their {@code values} {@code [N]} and the int64
 * {@code denseShape} {@code [rank]}. Fetching it gives a {@link SparseTensorValue}; feeding it takes one.
 */
public record SparseTensor(Output indices, Output values, Output denseShape) {
  /**
   * @throws IllegalArgumentException if a part is null, the parts are of different graphs, or indices and
   *     denseShape are not int64
   */
  public SparseTensor {
    Objects.requireNonNull(indices, "indices");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(denseShape, "denseShape");
    if (indices.graph() != values.graph() || values.graph() != denseShape.graph()) {
      throw new IllegalArgumentException("the parts of a SparseTensor must be of one graph");
    }
    if (indices.dtype() != DType.INT64 || denseShape.dtype() != DType.INT64) {
      throw new IllegalArgumentException("a SparseTensor's indices and denseShape must be int64, not "
          + indices.dtype() + " and " + denseShape.dtype());
    }
  }

  public DType dtype() {
    return values.dtype();
  }

  public Graph graph() {
    return values.graph();
  }
}
