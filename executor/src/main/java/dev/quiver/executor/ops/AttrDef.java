package dev.quiver.executor.ops;

import java.util.Objects;

/**
 * The declaration of one op attribute, as TensorFlow's {@code OpDef.AttrDef}: its name, its type, and where its
 * value comes from when the op is built: it is required, it has a default, or TensorFlow infers it from the op's
 * inputs (the dtype of an input, {@code T}; the length of an input list, {@code N}).
 *
 * <pre>{@code
 * AttrDef.required("dtype", AttrType.TYPE)
 * AttrDef.withDefault("transpose_a", AttrType.BOOL, false)
 * AttrDef.typeOfInput("T", 0)
 * AttrDef.lengthOfInputList("N", 1)
 * }</pre>
 *
 * <p>An inferred attribute is filled in from the inputs whenever the op is built, so a graph (and its GraphDef)
 * carries it as TensorFlow's does although the facades never set it; given explicitly (a GraphDef from elsewhere),
 * it must agree with the inputs.
 *
 * @param defaultValue the value an op built without the attribute gets; null if it is required or inferred
 * @param required true if every op of the type must be built with it
 * @param inferred how it follows from the inputs, or null if it does not
 */
public record AttrDef(String name, AttrType type, Object defaultValue, boolean required, Inferred inferred) {
  public AttrDef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type of attribute " + name);
    int sources = (required ? 1 : 0) + (defaultValue != null ? 1 : 0) + (inferred != null ? 1 : 0);
    if (sources != 1) {
      throw new IllegalArgumentException("attribute '" + name + "' must be exactly one of required, defaulted or "
          + "inferred from the inputs");
    }
    if (inferred != null && type != (inferred.listLength() ? AttrType.INT : AttrType.TYPE)) {
      throw new IllegalArgumentException("attribute '" + name + "' inferred from the inputs must be a "
          + (inferred.listLength() ? AttrType.INT : AttrType.TYPE) + ", not a " + type);
    }
    if (defaultValue != null) {
      Object coerced = type.coerce(Attrs.of(name, defaultValue).get(name));
      if (coerced == null) {
        throw new IllegalArgumentException("the default of attribute '" + name + "' is a "
            + defaultValue.getClass().getSimpleName() + ", not a " + type);
      }
      defaultValue = coerced;
    }
  }

  /**
   * How an inferred attribute follows from the op's inputs (TensorFlow binds it to an input argument).
   *
   * @param listLength false: the dtype of input {@code input} (negative counts from the end, -1 is the last);
   *     true: the length of the op's input list, i.e. its number of inputs less the {@code input} others it has
   */
  public record Inferred(boolean listLength, int input) {}

  /** An attribute every op of the type must be built with. */
  public static AttrDef required(String name, AttrType type) {
    return new AttrDef(name, type, null, true, null);
  }

  /** An attribute that takes {@code defaultValue} when not given. */
  public static AttrDef withDefault(String name, AttrType type, Object defaultValue) {
    return new AttrDef(name, type, Objects.requireNonNull(defaultValue, "defaultValue"), false, null);
  }

  /** A type attribute that is the dtype of input {@code index} (negative counts from the end). */
  public static AttrDef typeOfInput(String name, int index) {
    return new AttrDef(name, AttrType.TYPE, null, false, new Inferred(false, index));
  }

  /**
   * An int attribute that is the length of the op's list of inputs: all its inputs but {@code others} (ConcatV2's
   * {@code N} counts all but the trailing axis: {@code lengthOfInputList("N", 1)}).
   */
  public static AttrDef lengthOfInputList(String name, int others) {
    return new AttrDef(name, AttrType.INT, null, false, new Inferred(true, others));
  }

  @Override
  public String toString() {
    String source = required ? "" : defaultValue != null ? " = " + defaultValue
        : inferred.listLength() ? " (inputs less " + inferred.input() + ")"
        : " (dtype of input " + inferred.input() + ")";
    return name + ": " + type + source;
  }
}
