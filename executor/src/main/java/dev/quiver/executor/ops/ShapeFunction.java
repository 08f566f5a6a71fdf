package dev.quiver.executor.ops;

import java.util.List;

/**
 * Build-time shape inference of an op: the static dtype and shape of every output, or an InvalidArgument
 * error naming the op when the inputs cannot be valid (so bad shapes fail when the graph is built).
 */
@FunctionalInterface
public interface ShapeFunction {
  List<TensorSpec> infer(InferenceContext ctx);
}
