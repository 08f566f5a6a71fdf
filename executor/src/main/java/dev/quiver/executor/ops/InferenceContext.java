package dev.quiver.executor.ops;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;

/** What shape inference sees of an op being built: its inputs' static types and its attributes. */
public interface InferenceContext {
  String opName();

  String opType();

  int numInputs();

  DType inputDType(int i);

  /** The input's static shape, possibly partial or of unknown rank. */
  Shape inputShape(int i);

  Attrs attrs();

  /**
   * The value of input {@code i} if it is known when the graph is built (the output of a constant),
   * otherwise null. Lets ops like Reshape infer exact shapes from constant arguments. Borrowed: do not close.
   */
  Tensor constantInput(int i);

  /** An InvalidArgument error naming this op: {@code throw ctx.error("...")}. */
  default InvalidArgumentException error(String message) {
    return new InvalidArgumentException(opType() + " op '" + opName() + "': " + message);
  }
}
