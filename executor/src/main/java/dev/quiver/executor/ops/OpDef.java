package dev.quiver.executor.ops;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one declaration of an op type: its TensorFlow type name, its inputs, its attributes, its shape inference and
 * its kernel. The executor knows ops only through these; nothing in the scheduler names an op type.
 *
 * <pre>{@code
 * OpDef.of("MatMul", 2, MatMul.matMulShape(), MatMul::computeMatMul)
 *     .withAttrs(AttrDef.withDefault("transpose_a", AttrType.BOOL, false), ..., AttrDef.typeOfInput("T", 0));
 * }</pre>
 *
 * <p>Every op declares its attributes: {@link #of} gives a {@link Builder}, and only {@link Builder#withAttrs}
 * (empty for an op that takes none) makes an {@code OpDef}. The library ops declare TensorFlow's attributes
 * (names, types, defaults), so a GraphDef holds the same attributes as TensorFlow's, the type attributes it infers
 * from the inputs ({@code T}) included. An op is checked against them whenever it is built, by the graph builders and by {@code GraphDef}
 * import alike ({@link #resolveAttrs}): an attribute not in the definition, a missing required one, one of the
 * wrong type, or an inferred one that disagrees with the inputs is an InvalidArgument naming the op and the
 * attribute, and defaults and inferred attributes are filled in, so kernels and shape functions read every
 * declared attribute from {@link Attrs} without defaults of their own. (TensorFlow 2.21's Python import keeps an
 * attribute its op does not define; its C++ validation refuses it: "NodeDef mentions attribute ... which is not
 * in the op definition". Quiver refuses it wherever the op is built.) A TensorFlow attribute Quiver implements
 * only some values of fails when the op is built, naming it (Unimplemented), from the op's shape function.
 *
 * @param type TensorFlow's op type name ({@code "MatMul"})
 * @param minInputs the fewest inputs the op takes
 * @param maxInputs the most inputs ({@link Integer#MAX_VALUE} for lists like AddN's)
 * @param shapeFunction build-time inference of the outputs (their count included)
 * @param kernel the computation; null for an op that can be built (and exported) but not run: a step that
 *     needs it fails with NotFound, naming it
 * @param stateful true if two runs with the same inputs may differ (random ops): never folded or deduplicated
 * @param attrs the declared attributes, in TensorFlow's order
 */
public record OpDef(String type, int minInputs, int maxInputs, ShapeFunction shapeFunction, Kernel kernel,
                    boolean stateful, List<AttrDef> attrs) {
  public OpDef {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(shapeFunction, "shapeFunction of " + type);
    Objects.requireNonNull(attrs, "attrs of " + type + " (an op that takes none declares an empty list)");
    if (minInputs < 0 || maxInputs < minInputs) {
      throw new IllegalArgumentException("op " + type + " declares inputs [" + minInputs + ", " + maxInputs + "]");
    }
    attrs = List.copyOf(attrs);
    Set<String> names = new HashSet<>();
    for (AttrDef a : attrs) {
      if (!names.add(a.name())) {
        throw new IllegalArgumentException("op " + type + " declares attribute '" + a.name() + "' twice");
      }
      if (a.inferred() != null && !a.inferred().listLength()
          && (a.inferred().input() >= minInputs || a.inferred().input() < -minInputs)) {
        throw new IllegalArgumentException("op " + type + " infers attribute '" + a.name() + "' from input "
            + a.inferred().input() + ", which not every op of the type has");
      }
    }
  }

  /** An op type with exactly {@code inputs} inputs, stateless; {@link Builder#withAttrs} completes it. */
  public static Builder of(String type, int inputs, ShapeFunction shapeFunction, Kernel kernel) {
    return new Builder(type, inputs, inputs, shapeFunction, kernel, false);
  }

  /** An op type taking from {@code minInputs} to {@code maxInputs} inputs, stateless. */
  public static Builder of(String type, int minInputs, int maxInputs, ShapeFunction shapeFunction, Kernel kernel) {
    return new Builder(type, minInputs, maxInputs, shapeFunction, kernel, false);
  }

  /** An op type whose declaration lacks only its attributes. */
  public static final class Builder {
    private final String type;
    private final int minInputs;
    private final int maxInputs;
    private final ShapeFunction shapeFunction;
    private final Kernel kernel;
    private final boolean stateful;

    private Builder(String type, int minInputs, int maxInputs, ShapeFunction shapeFunction, Kernel kernel,
                    boolean stateful) {
      this.type = type;
      this.minInputs = minInputs;
      this.maxInputs = maxInputs;
      this.shapeFunction = shapeFunction;
      this.kernel = kernel;
      this.stateful = stateful;
    }

    /** The same op, stateful: two runs may differ, so it is never folded or deduplicated. */
    public Builder stateful() {
      return new Builder(type, minInputs, maxInputs, shapeFunction, kernel, true);
    }

    /** The declaration, with exactly these attributes ({@code withAttrs()} for an op that takes none). */
    public OpDef withAttrs(AttrDef... declared) {
      return new OpDef(type, minInputs, maxInputs, shapeFunction, kernel, stateful, List.of(declared));
    }
  }

  /**
   * The attributes an op named {@code opName} of this type is built with: {@code given} checked against the
   * declaration, with the defaults of those not given and the ones inferred from {@code inputTypes} (the dtypes of
   * its inputs, as many as it has) filled in; whole numbers given for a float become floats.
   *
   * @throws InvalidArgumentException naming the op and the attribute if one is not in the definition, a required
   *     one is missing, one has a value of the wrong type, or an inferred one given disagrees with the inputs
   */
  public Attrs resolveAttrs(String opName, Attrs given, List<DType> inputTypes) {
    String op = type + " op '" + opName + "': ";
    for (String name : given.asMap().keySet()) {
      if (attrs.stream().noneMatch(a -> a.name().equals(name))) {
        throw new InvalidArgumentException(op + "attribute '" + name + "' is not in the op definition of " + type
            + ", which takes " + (attrs.isEmpty() ? "no attributes"
            : attrs.stream().map(AttrDef::name).collect(Collectors.joining(", "))));
      }
    }
    Map<String, Object> resolved = new LinkedHashMap<>();
    for (AttrDef a : attrs) {
      Object v = given.has(a.name()) ? given.get(a.name()) : null;
      Object coerced = v == null ? null : a.type().coerce(v);
      if (v != null && coerced == null) {
        throw new InvalidArgumentException(op + "attribute '" + a.name() + "' had a value of type '"
            + AttrType.nameOf(v) + "' (" + v + ") when '" + a.type() + "' expected");
      }
      if (a.inferred() != null && a.inferred().listLength()) {
        long length = inputTypes.size() - a.inferred().input();
        if (coerced != null && !coerced.equals(length)) {
          throw new InvalidArgumentException(op + "attribute '" + a.name() + "' = " + coerced + " does not match the "
              + length + " inputs of its list");
        }
        resolved.put(a.name(), length);
      } else if (a.inferred() != null) {
        int input = a.inferred().input() < 0 ? inputTypes.size() + a.inferred().input() : a.inferred().input();
        DType dtype = inputTypes.get(input);
        if (coerced != null && coerced != dtype) {
          throw new InvalidArgumentException(op + "input " + input + " was passed " + dtype + ", incompatible with "
              + "attribute '" + a.name() + "' = " + coerced);
        }
        resolved.put(a.name(), dtype);
      } else if (coerced != null) {
        resolved.put(a.name(), coerced);
      } else if (a.required()) {
        throw new InvalidArgumentException(op + "missing the required attribute '" + a.name() + "' (" + a.type() + ")");
      } else {
        resolved.put(a.name(), a.defaultValue());
      }
    }
    return resolved.equals(given.asMap()) ? given : Attrs.of(resolved);
  }
}
