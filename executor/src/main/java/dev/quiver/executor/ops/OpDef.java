package dev.quiver.executor.ops;

import dev.quiver.errors.InvalidArgumentException;
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
 * OpDef.of("Placeholder", 0, CoreLibrary::placeholderShape, PLACEHOLDER_KERNEL)
 *     .withAttrs(AttrDef.required("dtype", AttrType.TYPE), AttrDef.withDefault("shape", AttrType.SHAPE, Shape.unknown()));
 * }</pre>
 *
 * <p>An op that declares its attributes ({@link #withAttrs}) is checked whenever it is built, by the graph
 * builders and by {@code GraphDef} import alike ({@link #resolveAttrs}): an undeclared attribute, a missing required
 * one or one of the wrong type is an InvalidArgument naming the op and the attribute, and defaults are filled in.
 * An op whose declaration lists no attributes ({@code attrs} null) takes whatever it is given, unchecked.
 *
 * @param type TensorFlow's op type name ({@code "MatMul"})
 * @param minInputs the fewest inputs the op takes
 * @param maxInputs the most inputs ({@link Integer#MAX_VALUE} for lists like AddN's)
 * @param shapeFunction build-time inference of the outputs (their count included)
 * @param kernel the computation; null for an op that can be built (and exported) but not run: a step that
 *     needs it fails with NotFound, naming it
 * @param stateful true if two runs with the same inputs may differ (random ops): never folded or deduplicated
 * @param attrs the declared attributes, in order; null if the op does not declare them (not checked)
 */
public record OpDef(String type, int minInputs, int maxInputs, ShapeFunction shapeFunction, Kernel kernel,
                    boolean stateful, List<AttrDef> attrs) {
  public OpDef {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(shapeFunction, "shapeFunction of " + type);
    if (minInputs < 0 || maxInputs < minInputs) {
      throw new IllegalArgumentException("op " + type + " declares inputs [" + minInputs + ", " + maxInputs + "]");
    }
    if (attrs != null) {
      attrs = List.copyOf(attrs);
      Set<String> names = new HashSet<>();
      for (AttrDef a : attrs) {
        if (!names.add(a.name())) {
          throw new IllegalArgumentException("op " + type + " declares attribute '" + a.name() + "' twice");
        }
      }
    }
  }

  /** An op that does not declare its attributes (they are not checked). */
  public OpDef(String type, int minInputs, int maxInputs, ShapeFunction shapeFunction, Kernel kernel,
               boolean stateful) {
    this(type, minInputs, maxInputs, shapeFunction, kernel, stateful, null);
  }

  /** A stateless op with exactly {@code inputs} inputs, declaring no attributes yet. */
  public static OpDef of(String type, int inputs, ShapeFunction shapeFunction, Kernel kernel) {
    return new OpDef(type, inputs, inputs, shapeFunction, kernel, false);
  }

  /** This declaration with exactly these attributes ({@code withAttrs()} for an op that takes none). */
  public OpDef withAttrs(AttrDef... declared) {
    return new OpDef(type, minInputs, maxInputs, shapeFunction, kernel, stateful, List.of(declared));
  }

  /** True if the op declares its attributes, so that building it checks them. */
  public boolean declaresAttrs() {
    return attrs != null;
  }

  /**
   * The attributes an op named {@code opName} of this type is built with: {@code given} checked against the
   * declaration, with the defaults of those not given filled in (whole numbers given for a float become
   * floats). {@code given} itself when the op declares no attributes.
   *
   * @throws InvalidArgumentException naming the op and the attribute if one is not declared, a required one is
   *     missing, or one has a value of the wrong type
   */
  public Attrs resolveAttrs(String opName, Attrs given) {
    if (attrs == null) {
      return given;
    }
    Map<String, AttrDef> declared = new LinkedHashMap<>();
    for (AttrDef a : attrs) {
      declared.put(a.name(), a);
    }
    for (String name : given.asMap().keySet()) {
      if (!declared.containsKey(name)) {
        throw new InvalidArgumentException(type + " op '" + opName + "': attribute '" + name + "' is not declared by "
            + type + ", which takes " + (attrs.isEmpty() ? "no attributes"
            : attrs.stream().map(AttrDef::name).collect(Collectors.joining(", "))));
      }
    }
    Map<String, Object> resolved = new LinkedHashMap<>();
    for (AttrDef a : attrs) {
      Object v = given.has(a.name()) ? given.get(a.name()) : null;
      if (v == null) {
        if (a.required()) {
          throw new InvalidArgumentException(type + " op '" + opName + "': missing the required attribute '"
              + a.name() + "' (" + a.type() + ")");
        }
        if (a.defaultValue() != null) {
          resolved.put(a.name(), a.defaultValue());
        }
        continue;
      }
      Object coerced = a.type().coerce(v);
      if (coerced == null) {
        throw new InvalidArgumentException(type + " op '" + opName + "': attribute '" + a.name() + "' must be a "
            + a.type() + ", not a " + v.getClass().getSimpleName() + " (" + v + ")");
      }
      resolved.put(a.name(), coerced);
    }
    return resolved.equals(given.asMap()) ? given : Attrs.of(resolved);
  }
}
