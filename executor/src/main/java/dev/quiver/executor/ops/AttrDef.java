package dev.quiver.executor.ops;

import java.util.Objects;

/**
 * The declaration of one op attribute: its name, its type, and either that it is required or the value it takes
 * when not given (TensorFlow's {@code OpDef.AttrDef}). An optional attribute without a default may be absent.
 *
 * <pre>{@code
 * AttrDef.required("dtype", AttrType.TYPE)
 * AttrDef.withDefault("shape", AttrType.SHAPE, Shape.unknown())
 * AttrDef.optional("seed", AttrType.INT)
 * }</pre>
 *
 * @param defaultValue the value an op built without the attribute gets; null for none
 */
public record AttrDef(String name, AttrType type, Object defaultValue, boolean required) {
  public AttrDef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type of attribute " + name);
    if (required && defaultValue != null) {
      throw new IllegalArgumentException("attribute '" + name + "' is required, so it cannot have a default");
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

  /** An attribute every op of the type must be built with. */
  public static AttrDef required(String name, AttrType type) {
    return new AttrDef(name, type, null, true);
  }

  /** An attribute that takes {@code defaultValue} when not given. */
  public static AttrDef withDefault(String name, AttrType type, Object defaultValue) {
    return new AttrDef(name, type, Objects.requireNonNull(defaultValue, "defaultValue"), false);
  }

  /** An attribute that may be given or not, with no default: kernels check {@link Attrs#has}. */
  public static AttrDef optional(String name, AttrType type) {
    return new AttrDef(name, type, null, false);
  }

  @Override
  public String toString() {
    return name + ": " + type + (required ? "" : defaultValue != null ? " = " + defaultValue : " (optional)");
  }
}
