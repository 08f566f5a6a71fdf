package dev.quiver.executor.ops;

import java.util.Objects;

/**
 * The one declaration of an op type: its TensorFlow type name, its inputs, its shape inference and its
 * kernel. The executor knows ops only through these; nothing in the scheduler names an op type.
 *
 * @param type TensorFlow's op type name ({@code "MatMul"})
 * @param minInputs the fewest inputs the op takes
 * @param maxInputs the most inputs ({@link Integer#MAX_VALUE} for lists like AddN's)
 * @param shapeFunction build-time inference of the outputs (their count included)
 * @param kernel the computation; null for ops the executor itself carries out (Placeholder, NoOp)
 * @param stateful true if two runs with the same inputs may differ (random ops): never folded or deduplicated
 */
public record OpDef(String type, int minInputs, int maxInputs, ShapeFunction shapeFunction, Kernel kernel,
                    boolean stateful) {
  public OpDef {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(shapeFunction, "shapeFunction of " + type);
    if (minInputs < 0 || maxInputs < minInputs) {
      throw new IllegalArgumentException("op " + type + " declares inputs [" + minInputs + ", " + maxInputs + "]");
    }
  }

  /** A stateless op with exactly {@code inputs} inputs. */
  public static OpDef of(String type, int inputs, ShapeFunction shapeFunction, Kernel kernel) {
    return new OpDef(type, inputs, inputs, shapeFunction, kernel, false);
  }
}
