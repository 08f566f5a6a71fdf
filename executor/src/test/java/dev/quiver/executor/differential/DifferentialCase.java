package dev.quiver.executor.differential;

import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.Tensor;
import java.util.List;

/**
 * One generated case: the op type (or, for a function composed of several ops, the name the references know it
 * by), its attributes and its inputs (owned by the case: the suite closes them after running it). A composed
 * case carries the code that builds it from the input placeholders; a plain op case has none. {@code placeholders}
 * says what the input placeholders declare: the inputs' full shapes, only their ranks (so the op is built without
 * static dims and takes them from the tensors when the step runs), or nothing (unknown rank).
 */
public record DifferentialCase(String op, Attrs attrs, List<Tensor> inputs, Composite composite,
                               Placeholders placeholders) implements AutoCloseable {

  /** Builds a composed function's outputs from its input placeholders. */
  @FunctionalInterface
  public interface Composite {
    List<Output> build(Ops tf, List<Output> inputs);
  }

  /** What the input placeholders declare of the fed tensors' shapes. */
  public enum Placeholders {
    /** The full shape: build-time inference sees every dim. */
    STATIC,
    /** The rank only, every dim unknown: broadcasting and shape checks happen when the step runs. */
    UNKNOWN_DIMS,
    /** Nothing: the rank too is known only when the step runs. */
    UNKNOWN_RANK;

    /** The name the manifest and the references use ("static", "unknown_dims", "unknown_rank"). */
    public String manifestName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A case of the single op {@code op}, on placeholders of full static shapes. */
  public DifferentialCase(String op, Attrs attrs, List<Tensor> inputs) {
    this(op, attrs, inputs, null, Placeholders.STATIC);
  }

  /** A case of the single op {@code op} on placeholders that declare {@code placeholders}. */
  public DifferentialCase(String op, Attrs attrs, List<Tensor> inputs, Placeholders placeholders) {
    this(op, attrs, inputs, null, placeholders);
  }

  /** A case of a composed function, on placeholders of full static shapes. */
  public DifferentialCase(String op, Attrs attrs, List<Tensor> inputs, Composite composite) {
    this(op, attrs, inputs, composite, Placeholders.STATIC);
  }

  /** A case of a composed function; {@code dynamicShapes} declares only the inputs' ranks. */
  public DifferentialCase(String op, Attrs attrs, List<Tensor> inputs, Composite composite, boolean dynamicShapes) {
    this(op, attrs, inputs, composite, dynamicShapes ? Placeholders.UNKNOWN_DIMS : Placeholders.STATIC);
  }

  @Override
  public void close() {
    inputs.forEach(Tensor::close);
  }
}
