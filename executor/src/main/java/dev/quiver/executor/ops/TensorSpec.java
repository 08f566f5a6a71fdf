package dev.quiver.executor.ops;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;

/** The static type of an op output: dtype and (partial) shape, as shape inference computes them. */
public record TensorSpec(DType dtype, Shape shape) {
  @Override
  public String toString() {
    return dtype + " " + shape;
  }
}
